//! Federation over NATS: a component's exports served on a NATS server, and a
//! component's imports satisfied by exports served elsewhere, on the NATS scheme and
//! value encoding of wRPC 0.17 (the Bytecode Alliance's RPC protocol for components).
//!
//! - [`serve()`] subscribes to one subject per exported function
//!   (`[prefix.]wrpc.0.0.1.<interface>.<function>`) in a queue group, so several servers
//!   of one component share its calls, and answers each call from one instance.
//! - [`Remote`] is a connection to a NATS server under a prefix; [`import_remote`] binds
//!   every function of an import interface to a call over it, as an async host function
//!   of the import registry, with a retry when no server answers.
//! - [`codec`] is the value encoding; [`transport`] the subjects and handshake.
//!
//! Values cross by copy: functions whose parameters or results hold resources, streams
//! or futures are not served and cannot be imported remotely yet.

#![deny(missing_docs)]

pub mod codec;
mod serve;
pub mod transport;

use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Type, Val};
use weft_runtime::{Imports, LoadedComponent, interface_matches};

pub use serve::{ServeOptions, Served, Server, servable, serve};

/// Why a federated call or server failed.
#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    /// The address is not `nats://HOST:PORT[/PREFIX]`.
    #[error("`{0}` is not a NATS address; write `nats://HOST:PORT` or `nats://HOST:PORT/PREFIX`")]
    BadUrl(String),
    /// The NATS server could not be reached.
    #[error("cannot connect to the NATS server at `{url}`: {detail}")]
    Connect {
        /// The server.
        url: String,
        /// Why.
        detail: String,
    },
    /// The NATS client failed.
    #[error("NATS: {0}")]
    Nats(String),
    /// Nobody serves the subject.
    #[error("no server answers on `{0}`; start one with `weft serve --nats URL COMPONENT`")]
    NoResponders(String),
    /// The server answered the invocation with a NATS status.
    #[error("`{subject}` was answered with NATS status {status}")]
    Status {
        /// The subject.
        subject: String,
        /// The status.
        status: String,
    },
    /// Something that was waited for did not come in time.
    #[error("timed out waiting for {0}")]
    Timeout(String),
    /// A subscription ended early (the connection closed).
    #[error("the connection closed during {0}")]
    Closed(String),
    /// A peer broke the protocol.
    #[error("`{subject}`: {detail}")]
    Protocol {
        /// The subject.
        subject: String,
        /// What went wrong.
        detail: String,
    },
    /// A message larger than weft accepts.
    #[error("{what} exceed {limit} bytes")]
    TooLarge {
        /// What.
        what: String,
        /// The limit.
        limit: usize,
    },
    /// Parameters or results that do not decode, or values that do not encode.
    #[error(transparent)]
    Codec(codec::CodecError),
    /// The served component failed the call.
    #[error("the call failed: {0}")]
    Call(String),
    /// The remote server failed the call, and said why.
    #[error("the server failed the call: {0}")]
    Remote(String),
    /// An import that cannot be served remotely.
    #[error("import `{import}` cannot be satisfied over NATS: {reason}")]
    Import {
        /// The import.
        import: String,
        /// Why.
        reason: String,
    },
}

impl FederationError {
    pub(crate) fn nats(error: impl std::fmt::Display) -> FederationError {
        FederationError::Nats(error.to_string())
    }
}

/// Where a NATS address points: the server and the subject prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatsAddress {
    /// The server, `nats://HOST:PORT`.
    pub server: String,
    /// The subject prefix (the URL's path), empty for none.
    pub prefix: String,
}

impl NatsAddress {
    /// Parses `nats://HOST:PORT[/PREFIX]`.
    pub fn parse(url: &str) -> Result<NatsAddress, FederationError> {
        let rest = url
            .strip_prefix("nats://")
            .ok_or_else(|| FederationError::BadUrl(url.to_string()))?;
        let (host, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if host.is_empty() || prefix.contains(['/', ' ', '*', '>']) {
            return Err(FederationError::BadUrl(url.to_string()));
        }
        Ok(NatsAddress {
            server: format!("nats://{host}"),
            prefix: prefix.trim_end_matches('.').to_string(),
        })
    }
}

/// A connection to a NATS server, for calling exports served there.
#[derive(Clone)]
pub struct Remote {
    client: async_nats::Client,
    prefix: String,
    timeout: Duration,
    retries: u32,
}

impl Remote {
    /// Connects to `address` (must run on a tokio runtime); calls time out after
    /// `timeout`.
    pub async fn connect(
        address: &NatsAddress,
        timeout: Duration,
    ) -> Result<Remote, FederationError> {
        let client = connect(&address.server).await?;
        Ok(Remote {
            client,
            prefix: address.prefix.clone(),
            timeout,
            retries: 3,
        })
    }

    /// The NATS client.
    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    /// Calls `func` of `instance` with the encoded `params`; retries while no server
    /// answers (one may be restarting, or another of its queue group taking over).
    pub async fn invoke(
        &self,
        instance: Option<&str>,
        func: &str,
        params: &[u8],
    ) -> Result<Vec<u8>, FederationError> {
        let subject = transport::subject(&self.prefix, instance, func);
        let mut attempt = 0;
        loop {
            match transport::invoke(&self.client, &subject, params, self.timeout).await {
                Err(FederationError::NoResponders(_)) if attempt < self.retries => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                }
                other => return other,
            }
        }
    }

    /// Calls `func` of `instance` with `args` of `params` types, answering values of
    /// `results` types.
    pub async fn call(
        &self,
        instance: Option<&str>,
        func: &str,
        args: &[Val],
        params: &[Type],
        results: &[Type],
    ) -> Result<Vec<Val>, FederationError> {
        let mut bytes = Vec::new();
        codec::encode_all(args, params, &mut bytes).map_err(FederationError::Codec)?;
        let answer = self.invoke(instance, func, &bytes).await?;
        if answer.is_empty() && !results.is_empty() {
            let subject = transport::subject(&self.prefix, instance, func);
            return Err(FederationError::Protocol {
                subject,
                detail: "the results ended before a value (the server failed the call; its log says why)".to_string(),
            });
        }
        codec::decode_all(&answer, results).map_err(FederationError::Codec)
    }
}

/// Connects to a NATS server, waiting for it briefly if it is not up yet.
pub async fn connect(server: &str) -> Result<async_nats::Client, FederationError> {
    let connecting = async_nats::ConnectOptions::new()
        .retry_on_initial_connect()
        .connect(server);
    match tokio::time::timeout(Duration::from_secs(10), connecting).await {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(e)) => Err(FederationError::Connect {
            url: server.to_string(),
            detail: e.to_string(),
        }),
        Err(_) => Err(FederationError::Connect {
            url: server.to_string(),
            detail: "no answer within 10 s".to_string(),
        }),
    }
}

/// Binds every function of the import `interface` of `component` to a call over
/// `remote` (the registry must be linked with `Imports::asynchronous`).
pub fn import_remote<T: 'static>(
    mut imports: Imports<T>,
    component: &LoadedComponent,
    interface: &str,
    remote: Remote,
) -> Result<Imports<T>, FederationError> {
    let wasm = component.component();
    let engine = wasm.engine();
    let found = wasm
        .component_type()
        .imports(engine)
        .find(|(name, _)| interface_matches(name, interface))
        .map(|(name, item)| (name.to_string(), item.ty));
    let (name, instance) = match found {
        Some((name, ComponentItem::ComponentInstance(instance))) => (name, instance),
        _ => {
            return Err(FederationError::Import {
                import: interface.to_string(),
                reason: format!("`{}` imports no interface of that name", component.name()),
            });
        }
    };
    let remote = Arc::new(remote);
    for (func_name, item) in instance.exports(engine) {
        let ComponentItem::ComponentFunc(func) = item.ty else {
            continue;
        };
        let params: Vec<Type> = func.params().map(|(_, t)| t).collect();
        let results: Vec<Type> = func.results().collect();
        if !params.iter().chain(&results).all(codec::carries) {
            return Err(FederationError::Import {
                import: format!("{name}#{func_name}"),
                reason: "its parameters or results hold resources, streams or futures, which weft does not carry over NATS yet".to_string(),
            });
        }
        let remote = Arc::clone(&remote);
        let instance_name = name.clone();
        let wire = func_name.to_string();
        let (params, results) = (Arc::new(params), Arc::new(results));
        imports = imports.func_async(&format!("{name}#{func_name}"), move |args| {
            let (remote, instance_name, wire) =
                (Arc::clone(&remote), instance_name.clone(), wire.clone());
            let (params, results) = (Arc::clone(&params), Arc::clone(&results));
            Box::pin(async move {
                remote
                    .call(Some(&instance_name), &wire, &args, &params, &results)
                    .await
                    .map_err(|e| {
                        wasmtime::Error::msg(format!("remote `{instance_name}#{wire}`: {e}"))
                    })
            })
        });
    }
    Ok(imports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_a_server_and_a_prefix() {
        assert_eq!(
            NatsAddress::parse("nats://127.0.0.1:4222/default").unwrap(),
            NatsAddress {
                server: "nats://127.0.0.1:4222".into(),
                prefix: "default".into()
            }
        );
        assert_eq!(NatsAddress::parse("nats://h:1").unwrap().prefix, "");
        assert!(NatsAddress::parse("http://h:1").is_err());
        assert!(NatsAddress::parse("nats://h:1/a/b").is_err());
    }
}
