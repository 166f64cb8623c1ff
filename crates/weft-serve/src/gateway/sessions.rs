//! Gateway sessions: instances kept across requests so resource handles live on, each
//! dropped (destructors run) when deleted or idle too long.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use weft_runtime::{Session, SessionReport};

/// One open session: its instance, and when it was last used.
pub struct Slot {
    /// The instance; `None` once the session has ended.
    pub session: tokio::sync::Mutex<Option<Session>>,
    last_used: Mutex<Instant>,
}

impl Slot {
    fn touch(&self) {
        *self.last_used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    fn idle_for(&self) -> Duration {
        self.last_used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed()
    }
}

/// The open sessions, by id.
pub struct Sessions {
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    idle: Duration,
    max: usize,
    sweeping: std::sync::atomic::AtomicBool,
}

/// There is no room for another session.
#[derive(Debug)]
pub struct Full(pub usize);

impl Sessions {
    /// No sessions yet; each may be idle for `idle`, at most `max` at once.
    pub fn new(idle: Duration, max: usize) -> Arc<Sessions> {
        Arc::new(Sessions {
            slots: Mutex::new(HashMap::new()),
            idle,
            max,
            sweeping: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// How long a session may be idle.
    pub fn idle_timeout(&self) -> Duration {
        self.idle
    }

    /// Keeps `session` under a new id, which it answers.
    pub fn open(self: &Arc<Self>, session: Session) -> Result<String, Full> {
        let id = new_id();
        {
            let mut slots = self.lock();
            if slots.len() >= self.max {
                return Err(Full(self.max));
            }
            slots.insert(
                id.clone(),
                Arc::new(Slot {
                    session: tokio::sync::Mutex::new(Some(session)),
                    last_used: Mutex::new(Instant::now()),
                }),
            );
        }
        self.start_sweeper();
        Ok(id)
    }

    /// The session `id`, marked as used now.
    pub fn get(&self, id: &str) -> Option<Arc<Slot>> {
        let slot = self.lock().get(id).cloned()?;
        slot.touch();
        Some(slot)
    }

    /// Ends the session `id`: its handles are dropped and their destructors run.
    pub async fn end(&self, id: &str) -> Option<SessionReport> {
        let slot = self.lock().remove(id)?;
        finish(&slot).await
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Slot>>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts, once, the task that ends idle sessions; it stops with the table.
    fn start_sweeper(self: &Arc<Self>) {
        use std::sync::atomic::Ordering;
        if self.sweeping.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak: Weak<Sessions> = Arc::downgrade(self);
        let period = (self.idle / 4).clamp(Duration::from_millis(10), Duration::from_secs(5));
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(period);
            loop {
                ticks.tick().await;
                let Some(sessions) = weak.upgrade() else {
                    return;
                };
                let expired: Vec<(String, Arc<Slot>)> = {
                    let mut slots = sessions.lock();
                    let ids: Vec<String> = slots
                        .iter()
                        .filter(|(_, s)| s.idle_for() >= sessions.idle)
                        .map(|(id, _)| id.clone())
                        .collect();
                    ids.into_iter()
                        .filter_map(|id| slots.remove(&id).map(|s| (id, s)))
                        .collect()
                };
                for (id, slot) in expired {
                    if let Some(report) = finish(&slot).await {
                        tracing::info!(
                            target: "weft::serve",
                            "session {id} expired after {} ms idle; {} handle(s) dropped",
                            sessions.idle.as_millis(),
                            report.dropped_at_end.len()
                        );
                    }
                }
            }
        });
    }
}

async fn finish(slot: &Slot) -> Option<SessionReport> {
    let session = slot.session.lock().await.take()?;
    Some(session.finish_async().await)
}

/// 128 random bits, hex: an id no client can guess from another.
fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: the clock keeps ids unique, though no longer unguessable.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        bytes = now.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
