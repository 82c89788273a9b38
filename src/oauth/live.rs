//! Live hand-off: waiting devices (and waiting browsers) hear of a decision the moment it is
//! stored instead of at their next poll. An Usher extension; RFC 8628 polling is unchanged.
//!
//! The hub is keyed by the authorization id (never by the user code). An entry exists only
//! while someone is subscribed, so memory is bounded by the number of open waits. With
//! PostgreSQL the store sends every decision over `NOTIFY` in the decision's own transaction
//! (`store::DECISIONS_CHANNEL`), and this hub `LISTEN`s, so a device waiting on one instance
//! hears a decision taken on another; SQLite runs as one instance, in process only.
//! The same listener also hears announcements that the signing keys changed
//! (`tokens::rotation::KEYS_CHANNEL`), that a client changed (`store::CLIENTS_CHANNEL`,
//! for `oauth::clients`) and that access tokens may have been revoked
//! (`store::REVOCATIONS_CHANNEL`, for `oauth::token_view`), so an instance needs one
//! listening connection.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use sqlx::PgPool;
use tokio::sync::watch;

use crate::{
    clock::Clock,
    error::StoreResult,
    oauth::polling::PollTracker,
    store::{
        CLIENTS_CHANNEL, DECISIONS_CHANNEL, Database, DeviceAuthorization, DeviceState,
        REVOCATIONS_CHANNEL,
    },
    tokens::rotation::KEYS_CHANNEL,
};

/// Longest single sleep, so a waiter notices expiry under a clock that tests move by hand.
const TICK: Duration = Duration::from_secs(1);

/// The outcome a waiting device is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceEvent {
    Approved,
    Denied,
    Expired,
}

impl DeviceEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceEvent::Approved => "approved",
            DeviceEvent::Denied => "denied",
            DeviceEvent::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<DeviceEvent> {
        Some(match s {
            "approved" => DeviceEvent::Approved,
            "denied" => DeviceEvent::Denied,
            "expired" => DeviceEvent::Expired,
            _ => return None,
        })
    }

    /// The event a stored authorization already stands for, if it is decided or expired.
    pub fn from_stored(authorization: &DeviceAuthorization, now: i64) -> Option<DeviceEvent> {
        match authorization.state {
            // Redeemed means it was approved (and the device already has its tokens).
            DeviceState::Approved(_) | DeviceState::Redeemed(_) => Some(DeviceEvent::Approved),
            DeviceState::Denied { .. } => Some(DeviceEvent::Denied),
            DeviceState::Pending if authorization.expires_at <= now => Some(DeviceEvent::Expired),
            DeviceState::Pending => None,
        }
    }
}

type Channels = Mutex<HashMap<String, watch::Sender<Option<DeviceEvent>>>>;

/// The in-process hub of waiters, plus the PostgreSQL listener when there is one.
#[derive(Debug)]
pub struct DeviceEvents {
    channels: Arc<Channels>,
    postgres: Option<PgPool>,
    /// Set when the server shuts down: open waits end so graceful shutdown is not held up
    /// by SSE streams that would otherwise last until their codes expire.
    closing: watch::Sender<bool>,
    /// Bumped each time the PostgreSQL listener (re)connects: notifications sent while it
    /// was away are lost, so waiters re-read the stored status once.
    reconnected: watch::Sender<u64>,
    /// Bumped when another instance (or the CLI) announces a change to the signing keys,
    /// and at each listener (re)connect, as announcements may have been missed.
    key_changes: watch::Sender<u64>,
    /// Bumped when a client changed (any process), and at each listener (re)connect.
    client_changes: watch::Sender<u64>,
    /// Sent when access tokens may have been revoked (any process), at each listener
    /// (re)connect and when it is lost; the value says whether the listener runs.
    revocation_changes: watch::Sender<bool>,
    /// The pending states polls are answered from: told of every decision, and that events
    /// may have been missed (`oauth/polling.rs`).
    polls: Arc<PollTracker>,
}

impl DeviceEvents {
    /// A hub that only reaches waiters of this process (SQLite: a single instance). Every
    /// decision is taken here, so `polls` may answer from memory at once.
    pub fn in_process(polls: Arc<PollTracker>) -> DeviceEvents {
        polls.events_resumed();
        Self::new(None, polls)
    }

    /// A hub that also hears the decisions the store announces on the same PostgreSQL
    /// database, whichever instance took them ([`DeviceEvents::listen`]). `polls` answers
    /// from memory only while the listener runs.
    pub fn with_postgres(pool: PgPool, polls: Arc<PollTracker>) -> DeviceEvents {
        Self::new(Some(pool), polls)
    }

    fn new(postgres: Option<PgPool>, polls: Arc<PollTracker>) -> DeviceEvents {
        DeviceEvents {
            polls,
            channels: Arc::default(),
            postgres,
            closing: watch::Sender::new(false),
            reconnected: watch::Sender::new(0),
            key_changes: watch::Sender::new(0),
            client_changes: watch::Sender::new(0),
            revocation_changes: watch::Sender::new(false),
        }
    }

    /// Starts listening for one authorization's event. Dropping the subscription
    /// unsubscribes; the last one out removes the entry.
    pub fn subscribe(&self, authorization_id: &str) -> DeviceEventSubscription {
        let mut channels = lock(&self.channels);
        let receiver = match channels.get(authorization_id) {
            Some(sender) => sender.subscribe(),
            None => {
                let (sender, receiver) = watch::channel(None);
                channels.insert(authorization_id.to_string(), sender);
                receiver
            }
        };
        DeviceEventSubscription {
            authorization_id: authorization_id.to_string(),
            receiver: Some(receiver),
            channels: Arc::clone(&self.channels),
        }
    }

    /// Tells this instance's waiters at once. Other instances hear a decision through the
    /// NOTIFY the store sent with it (`Database::decide`); this instance's
    /// listener hears that too, which repeats the same value and changes nothing.
    pub fn publish(&self, authorization_id: &str, event: DeviceEvent) {
        self.polls.decided(authorization_id);
        if let Some(sender) = lock(&self.channels).get(authorization_id) {
            sender.send_replace(Some(event));
        }
    }

    /// Ends every wait (with no event) now and from now on: the server is shutting down.
    pub fn shut_down(&self) {
        self.closing.send_replace(true);
    }

    /// Whether [`DeviceEvents::shut_down`] was called.
    pub fn is_closing(&self) -> bool {
        *self.closing.borrow()
    }

    /// Changes whenever the signing keys should be re-read (`tokens::rotation`). Never
    /// changes without PostgreSQL.
    pub fn key_changes(&self) -> watch::Receiver<u64> {
        self.key_changes.subscribe()
    }

    /// Changes whenever the in-memory clients should be dropped (`oauth::clients`). Never
    /// changes without PostgreSQL.
    pub fn client_changes(&self) -> watch::Receiver<u64> {
        self.client_changes.subscribe()
    }

    /// Changes whenever access tokens answered from memory should be dropped
    /// (`oauth::token_view`); holds whether the listener runs (a revocation sent while it
    /// is away goes unheard). Never changes without PostgreSQL.
    pub fn revocation_changes(&self) -> watch::Receiver<bool> {
        self.revocation_changes.subscribe()
    }

    /// Number of authorizations someone is waiting for (for tests and metrics).
    pub fn waiting(&self) -> usize {
        lock(&self.channels).len()
    }

    /// Receives the decisions announced on PostgreSQL, until the task is aborted. Does
    /// nothing without PostgreSQL. Each time the listener (re)connects, waiters re-read the
    /// stored status once: notifications sent while it was away are lost.
    pub async fn listen(self: Arc<Self>) {
        let Some(pool) = self.postgres.clone() else {
            return;
        };
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
                Ok(listener) => listener,
                Err(err) => {
                    tracing::warn!(error = %err, "could not listen for device events; retrying");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    continue;
                }
            };
            if let Err(err) = listener
                .listen_all([
                    DECISIONS_CHANNEL,
                    KEYS_CHANNEL,
                    CLIENTS_CHANNEL,
                    REVOCATIONS_CHANNEL,
                ])
                .await
            {
                tracing::warn!(error = %err, "could not listen for device events; retrying");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
            self.listening_again();
            loop {
                // `try_recv`, not `recv`: `recv` hides a lost connection by reconnecting,
                // where `try_recv` reconnects (`LISTEN` again) and then answers `None`.
                match listener.try_recv().await {
                    Ok(None) => self.listening_again(),
                    Ok(Some(notification)) if notification.channel() == KEYS_CHANNEL => {
                        self.key_changes.send_modify(|n| *n += 1);
                    }
                    Ok(Some(notification)) if notification.channel() == CLIENTS_CHANNEL => {
                        self.polls.clients_changed();
                        self.client_changes.send_modify(|n| *n += 1);
                    }
                    Ok(Some(notification)) if notification.channel() == REVOCATIONS_CHANNEL => {
                        self.revocation_changes.send_replace(true);
                    }
                    Ok(Some(notification)) => {
                        let mut parts = notification.payload().splitn(2, ' ');
                        let (Some(id), Some(event)) = (parts.next(), parts.next()) else {
                            continue;
                        };
                        if let Some(event) = DeviceEvent::parse(event) {
                            self.publish(id, event);
                        }
                    }
                    Err(err) => {
                        // Decisions go unheard until `LISTEN` runs again.
                        self.polls.events_paused();
                        self.revocation_changes.send_replace(false);
                        tracing::warn!(error = %err, "device event listener failed; reconnecting");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        break;
                    }
                }
            }
        }
    }
}

impl DeviceEvents {
    /// The listener runs `LISTEN` (again): what it missed meanwhile is only in the database,
    /// so every waiter re-reads once, the signing keys are re-read and the clients dropped.
    fn listening_again(&self) {
        // Polls read their rows again (`oauth/polling.rs`).
        self.polls.events_resumed();
        self.reconnected.send_modify(|n| *n += 1);
        self.key_changes.send_modify(|n| *n += 1);
        self.client_changes.send_modify(|n| *n += 1);
        self.revocation_changes.send_replace(true);
    }
}

/// One waiter's interest in one authorization.
#[derive(Debug)]
pub struct DeviceEventSubscription {
    authorization_id: String,
    receiver: Option<watch::Receiver<Option<DeviceEvent>>>,
    channels: Arc<Channels>,
}

impl DeviceEventSubscription {
    /// The event, once one was published; waits until then.
    pub async fn recv(&mut self) -> DeviceEvent {
        let Some(receiver) = self.receiver.as_mut() else {
            return std::future::pending().await;
        };
        // Copy the value out at once: the guard must not live across another await.
        let event = receiver.wait_for(Option::is_some).await.map(|event| *event);
        match event {
            Ok(event) => event.unwrap_or(DeviceEvent::Expired),
            // The sender lives in the map as long as this receiver does; never reached.
            Err(_) => std::future::pending().await,
        }
    }

    /// The event, if one was already published.
    pub fn try_recv(&self) -> Option<DeviceEvent> {
        self.receiver.as_ref().and_then(|r| *r.borrow())
    }
}

impl Drop for DeviceEventSubscription {
    fn drop(&mut self) {
        drop(self.receiver.take());
        let mut channels = lock(&self.channels);
        if channels
            .get(&self.authorization_id)
            .is_some_and(|sender| sender.receiver_count() == 0)
        {
            channels.remove(&self.authorization_id);
        }
    }
}

fn lock(
    channels: &Channels,
) -> std::sync::MutexGuard<'_, HashMap<String, watch::Sender<Option<DeviceEvent>>>> {
    channels.lock().unwrap_or_else(|e| e.into_inner())
}

/// Waits for the outcome of an authorization: `Some(event)` once decided or expired, `None`
/// when `deadline_ms` (Unix milliseconds) passes first or the server shuts down. Subscribes
/// before reading the stored status, so a decision taken between the two is not missed.
/// The status is read again only when the PostgreSQL listener reconnects: a committed
/// decision always sends its NOTIFY (same transaction), so only a listener that was away
/// can have missed one. An open wait otherwise costs no queries.
pub async fn wait_for_decision(
    events: &DeviceEvents,
    db: &Database,
    clock: &dyn Clock,
    authorization: &DeviceAuthorization,
    deadline_ms: Option<i64>,
) -> StoreResult<Option<DeviceEvent>> {
    let mut subscription = events.subscribe(&authorization.id);
    let mut closing = events.closing.subscribe();
    let mut reconnected = events.reconnected.subscribe();
    loop {
        let now = clock.now();
        let stored = db.get_device_authorization(&authorization.id).await?;
        // Gone: deleted long after expiry.
        let Some(stored) = stored else {
            return Ok(Some(DeviceEvent::Expired));
        };
        if let Some(event) = DeviceEvent::from_stored(&stored, now) {
            return Ok(Some(event));
        }
        let expires_at = stored.expires_at;
        // Sleep until an event, expiry or the deadline, whichever first.
        loop {
            if let Some(event) = subscription.try_recv() {
                return Ok(Some(event));
            }
            if *closing.borrow_and_update() {
                return Ok(None);
            }
            let now_ms = clock.now_ms();
            if deadline_ms.is_some_and(|d| now_ms >= d) {
                return Ok(None);
            }
            if now_ms >= expires_at * 1000 {
                break;
            }
            let mut until = expires_at * 1000;
            if let Some(deadline_ms) = deadline_ms {
                until = until.min(deadline_ms);
            }
            let sleep = Duration::from_millis((until - now_ms).max(1) as u64).min(TICK);
            tokio::select! {
                event = subscription.recv() => return Ok(Some(event)),
                _ = closing.changed() => {}
                // The listener was away: whatever it missed is in the database.
                Ok(()) = reconnected.changed() => break,
                () = tokio::time::sleep(sleep) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_hear_a_published_event_and_entries_go_when_they_leave() {
        let hub = DeviceEvents::in_process(Arc::default());
        let mut first = hub.subscribe("a");
        let second = hub.subscribe("a");
        assert_eq!(hub.waiting(), 1);
        hub.publish("b", DeviceEvent::Denied);
        hub.publish("a", DeviceEvent::Approved);
        assert_eq!(first.recv().await, DeviceEvent::Approved);
        assert_eq!(second.try_recv(), Some(DeviceEvent::Approved));
        drop(first);
        assert_eq!(hub.waiting(), 1);
        drop(second);
        assert_eq!(hub.waiting(), 0);
    }

    #[test]
    fn publishing_without_subscribers_keeps_nothing() {
        let hub = DeviceEvents::in_process(Arc::default());
        hub.publish("a", DeviceEvent::Approved);
        assert_eq!(hub.waiting(), 0);
        assert_eq!(hub.subscribe("a").try_recv(), None);
    }
}
