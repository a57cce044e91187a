// envargs: std::env arguments and variables; exits with the code given as the first argument.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    println!("args: {:?}", args);
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    for (k, v) in &vars {
        println!("env {}={:?}", k, v);
    }
    println!("GREETING is {:?}", std::env::var("GREETING").ok());
    let code = args.first().and_then(|a| a.parse::<i32>().ok()).unwrap_or(0);
    std::process::exit(code);
}
