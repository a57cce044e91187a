// fs: std::fs under WASI in the directory given as argv[1]: the same output natively.
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

fn main() {
    let root = std::env::args().nth(1).expect("usage: fs DIR");
    let d = Path::new(&root).join("rust");
    fs::create_dir_all(d.join("a/b")).unwrap();
    fs::write(d.join("a/one.txt"), b"one\n").unwrap();
    let mut f = fs::File::create(d.join("a/b/log.txt")).unwrap();
    for i in 0..100 {
        writeln!(f, "line {}", i).unwrap();
    }
    drop(f);
    fs::rename(d.join("a/one.txt"), d.join("a/b/uno.txt")).unwrap();
    fs::rename(d.join("a/b"), d.join("bee")).unwrap();
    let mut names: Vec<String> = fs::read_dir(d.join("bee"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    println!("bee: {:?}", names);
    let text = fs::read_to_string(d.join("bee/log.txt")).unwrap();
    println!("log: {} lines, last {:?}", text.lines().count(), text.lines().last());
    let mut f = fs::OpenOptions::new().read(true).write(true).open(d.join("bee/uno.txt")).unwrap();
    f.seek(SeekFrom::Start(1000)).unwrap();
    f.write_all(b"end").unwrap();
    let meta = f.metadata().unwrap();
    println!("uno: {} bytes, file {}", meta.len(), meta.is_file());
    let mut buf = Vec::new();
    f.seek(SeekFrom::Start(0)).unwrap();
    f.read_to_end(&mut buf).unwrap();
    println!("zeros in the hole: {}", buf[4..1000].iter().all(|&b| b == 0));
    match fs::remove_dir(d.join("bee")) {
        Ok(()) => println!("removed non-empty dir?!"),
        // Rust 1.63's WASI std calls ENOTEMPTY "Uncategorized", so no kind is printed.
        Err(_) => println!("remove non-empty dir: refused"),
    }
    match fs::read(d.join("missing")) {
        Ok(_) => println!("read missing?!"),
        Err(e) => println!("read missing: {:?}", e.kind()),
    }
    fs::remove_dir_all(&d).unwrap();
    println!("cleaned up: {}", !d.exists());
}
