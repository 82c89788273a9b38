//! The `usher` binary: everything is in the library (`usher::cli`).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    usher::install_crypto_provider();
    usher::cli::run().await
}
