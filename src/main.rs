//! The `usher` binary: everything is in the library (`usher::cli`).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    usher::cli::run().await
}
