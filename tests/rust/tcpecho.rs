// tcpecho: a std::net::TcpListener made from the pre-opened LISTEN socket (FD_NAMES), echoing
// each of N connections back in upper case.
use std::io::{Read, Write};
use std::net::TcpListener;

#[cfg(target_os = "wasi")]
fn listener(fd: u32) -> TcpListener {
    use std::os::wasi::io::FromRawFd;
    unsafe { TcpListener::from_raw_fd(fd as i32) }
}

#[cfg(not(target_os = "wasi"))]
fn listener(fd: u32) -> TcpListener {
    use std::os::unix::io::FromRawFd;
    unsafe { TcpListener::from_raw_fd(fd as i32) }
}

fn main() {
    let names = std::env::var("FD_NAMES").expect("FD_NAMES");
    let fd = names.split(':').position(|n| n == "LISTEN").expect("a LISTEN socket") as u32;
    let count: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1);
    let l = listener(fd);
    for (i, conn) in l.incoming().take(count).enumerate() {
        let mut s = conn.expect("accept");
        let mut data = Vec::new();
        s.read_to_end(&mut data).expect("read");
        s.write_all(&data.to_ascii_uppercase()).expect("write");
        eprintln!("tcpecho: connection {} echoed {} bytes", i + 1, data.len());
    }
    println!("served {}", count);
}
