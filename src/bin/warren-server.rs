//! warren-server: Warren's engine as a real AMQP 0-9-1 server, for pika and
//! any other client library.
//!
//! ```text
//! cargo run --release --bin warren-server -- --amqp 127.0.0.1:5672 --data ./warren-data
//! ```
//!
//! See `warren::server` for how it works.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::Parser;
    use std::net::SocketAddr;
    use std::path::PathBuf;
    use warren::describe::i18n::Lang;
    use warren::engine::Profile;
    use warren::server::log::LogFormat;
    use warren::server::{run, ServerOptions};

    /// A deterministic RabbitMQ (AMQP 0-9-1) simulator, serving real clients.
    #[derive(Parser, Debug)]
    #[command(name = "warren-server", version)]
    struct Args {
        /// Address and port for AMQP clients.
        #[arg(long, default_value = "127.0.0.1:5672")]
        amqp: SocketAddr,
        /// Address and port for warrenctl (default: the AMQP port + 20000).
        #[arg(long)]
        control: Option<SocketAddr>,
        /// Directory for durable state (exchanges, queues, bindings,
        /// persistent messages). Without it nothing survives a restart.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Virtual time runs this many times as fast as real time.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Which RabbitMQ to behave as: rabbitmq-3 or rabbitmq-4.3.
        #[arg(long, default_value = "rabbitmq-3", value_parser = parse_profile)]
        profile: Profile,
        /// How events are printed: text (one sentence per event), json, off.
        #[arg(long, value_enum, default_value_t = LogFormat::Text)]
        log: LogFormat,
        /// The language of the printed sentences: en or zh.
        #[arg(long, default_value = "en", value_parser = parse_lang)]
        lang: Lang,
        /// Seeds server-generated names (amq.gen-…).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Virtual ms a durable change may wait for its batch's commit
        /// (0: commit as soon as the broker is idle, as RabbitMQ syncs).
        #[arg(long, default_value_t = 0)]
        commit_interval_ms: u64,
    }

    fn parse_profile(s: &str) -> Result<Profile, String> {
        Profile::parse(s)
            .ok_or_else(|| format!("unknown profile '{s}' (rabbitmq-3 or rabbitmq-4.3)"))
    }

    fn parse_lang(s: &str) -> Result<Lang, String> {
        match s {
            "en" => Ok(Lang::En),
            "zh" => Ok(Lang::Zh),
            _ => Err(format!("unknown language '{s}' (en or zh)")),
        }
    }

    pub fn main() -> std::process::ExitCode {
        let args = Args::parse();
        let options = ServerOptions {
            amqp: args.amqp,
            control: args.control,
            data: args.data,
            speed: args.speed,
            profile: args.profile,
            log: args.log,
            lang: args.lang,
            seed: args.seed,
            commit_interval_ms: args.commit_interval_ms,
        };
        match run(options) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("warren-server: {e}");
                std::process::ExitCode::FAILURE
            }
        }
    }
}
