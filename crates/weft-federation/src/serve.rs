//! Serving a component's exports on NATS: one subscription per exported function (in a
//! queue group, so several servers share the calls), one instance per server whose calls
//! run one at a time (its state lives across calls, as in a session), and a fresh
//! instance after a trap.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::{Client, Message};
use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::Mutex;
use wasmtime::component::Type;
use weft_runtime::{Capabilities, ExportFunc, Limits, Prepared, Session};

use crate::FederationError;
use crate::codec::{self, carries};
use crate::transport::{self, read_stream, subject};

/// How a component is served.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The subject prefix (`default` in `default.wrpc.0.0.1...`; empty for none).
    pub prefix: String,
    /// The NATS queue group the servers of one component share; `None` makes every
    /// server take every call (only right for a single server).
    pub group: Option<String>,
    /// How long a caller may take to send its parameters.
    pub params_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            prefix: String::new(),
            group: Some("weft".to_string()),
            params_timeout: Duration::from_secs(10),
        }
    }
}

/// One exported function as served: its subject and types.
#[derive(Debug, Clone)]
pub struct Served {
    /// The subject it is served on.
    pub subject: String,
    /// The export.
    pub export: ExportFunc,
}

/// The functions of a component that can be served, and those that cannot (they take
/// or return resources, streams or futures), as `interface#function` names.
pub fn servable(prepared: &Prepared, prefix: &str) -> (Vec<Served>, Vec<String>) {
    let mut served = Vec::new();
    let mut skipped = Vec::new();
    for export in prepared.component().exports().funcs() {
        let ok = export.ty.params().all(|(_, t)| carries(&t))
            && export.ty.results().all(|t| carries(&t))
            && !export.ty.async_();
        if ok {
            served.push(Served {
                subject: subject(prefix, export.interface.as_deref(), &export.name),
                export: export.clone(),
            });
        } else {
            skipped.push(export.qualified_name());
        }
    }
    (served, skipped)
}

/// The one instance a server calls, replaced by a fresh one after a trap.
struct Instance {
    prepared: Prepared,
    capabilities: Capabilities,
    limits: Limits,
    session: Mutex<Option<Session>>,
}

impl Instance {
    async fn call(
        &self,
        export: &ExportFunc,
        args: &[wasmtime::component::Val],
    ) -> Result<Vec<wasmtime::component::Val>, FederationError> {
        let mut slot = self.session.lock().await;
        if slot.is_none() {
            let session = self
                .prepared
                .instantiate_async(&self.capabilities, self.limits.clone(), ())
                .await
                .map_err(|e| FederationError::Call(format!("{e:#}")))?;
            *slot = Some(session);
        }
        let session = slot.as_mut().expect("just made");
        let called = session.invoke_async(export, args).await;
        if called.is_err() && session.is_dead() {
            // A trap ends the instance; the next call gets a fresh one.
            *slot = None;
        }
        called.map_err(|e| FederationError::Call(format!("{e:#}")))
    }
}

/// A component being served on NATS: its subscriptions are in place.
pub struct Server {
    tasks: tokio::task::JoinSet<()>,
}

impl Server {
    /// Serves until `shutdown` resolves.
    pub async fn run(mut self, shutdown: impl Future<Output = ()>) {
        shutdown.await;
        self.tasks.abort_all();
    }
}

/// Subscribes to the subjects of `served`, exports of `prepared` (linked with
/// `Imports::asynchronous`), on `client`; calls are answered as long as the returned
/// [`Server`] runs. Every call is answered; a call that fails (a malformed message, a
/// trap, a timeout) is logged with its reason and answered with empty results.
pub async fn serve(
    client: Client,
    prepared: Prepared,
    capabilities: Capabilities,
    limits: Limits,
    served: Vec<Served>,
    options: ServeOptions,
) -> Result<Server, FederationError> {
    let instance = Arc::new(Instance {
        prepared,
        capabilities,
        limits,
        session: Mutex::new(None),
    });
    let mut tasks = tokio::task::JoinSet::new();
    for func in served {
        let mut subscriber = match &options.group {
            Some(group) => client
                .queue_subscribe(func.subject.clone(), group.clone())
                .await
                .map_err(FederationError::nats)?,
            None => client
                .subscribe(func.subject.clone())
                .await
                .map_err(FederationError::nats)?,
        };
        let client = client.clone();
        let instance = Arc::clone(&instance);
        let func = Arc::new(func);
        let params_timeout = options.params_timeout;
        tasks.spawn(async move {
            while let Some(message) = subscriber.next().await {
                let client = client.clone();
                let instance = Arc::clone(&instance);
                let func = Arc::clone(&func);
                tokio::spawn(async move {
                    if let Err(error) =
                        answer(&client, &instance, &func, message, params_timeout).await
                    {
                        tracing::warn!(target: "weft::federation", "{}: {error}", func.subject);
                    }
                });
            }
        });
    }
    client.flush().await.map_err(FederationError::nats)?;
    Ok(Server { tasks })
}

/// Answers one invocation message.
async fn answer(
    client: &Client,
    instance: &Instance,
    func: &Served,
    message: Message,
    params_timeout: Duration,
) -> Result<(), FederationError> {
    let Some(reply) = message.reply else {
        return Err(FederationError::Protocol {
            subject: func.subject.clone(),
            detail: "an invocation without a reply subject".to_string(),
        });
    };
    let inbox = client.new_inbox();
    let mut params = client
        .subscribe(format!("{inbox}.params"))
        .await
        .map_err(FederationError::nats)?;
    client
        .publish_with_reply(reply.clone(), inbox, Bytes::new())
        .await
        .map_err(FederationError::nats)?;
    client.flush().await.map_err(FederationError::nats)?;
    let results_subject = format!("{reply}.results");
    let outcome = call(
        instance,
        func,
        &message.payload,
        &mut params,
        params_timeout,
    )
    .await;
    let max = client.server_info().max_payload;
    match outcome {
        Ok(bytes) => transport::write_stream(client, results_subject, &bytes, max).await,
        Err(error) => {
            // wRPC has no error frame: its callers see the results end early; weft's
            // read the reason from the header.
            transport::write_failure(client, results_subject, &error.to_string()).await?;
            Err(error)
        }
    }
}

/// Reads the parameters, calls the export and encodes its results.
async fn call(
    instance: &Instance,
    func: &Served,
    first: &[u8],
    params: &mut async_nats::Subscriber,
    params_timeout: Duration,
) -> Result<Vec<u8>, FederationError> {
    let mut bytes = first.to_vec();
    read_stream(
        params,
        &mut bytes,
        Instant::now() + params_timeout,
        "the parameters",
    )
    .await?;
    let types: Vec<Type> = func.export.ty.params().map(|(_, t)| t).collect();
    let args = codec::decode_all(&bytes, &types).map_err(FederationError::Codec)?;
    let results = instance.call(&func.export, &args).await?;
    let result_types: Vec<Type> = func.export.ty.results().collect();
    let mut out = Vec::new();
    codec::encode_all(&results, &result_types, &mut out).map_err(FederationError::Codec)?;
    Ok(out)
}
