//! Gateway sessions and dispatch: each event is serialized once and pushed to every session
//! whose shard and intents match, with a replay buffer per session for resuming.

use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
    time::Duration,
};

use serde::Serialize;
use tokio::{sync::mpsc, time::Instant};
use twilight_model::{
    gateway::Intents,
    id::{Id, marker::GuildMarker},
};

/// What a connection task is asked to write to its websocket.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// A complete gateway frame (JSON text, before transport compression).
    Frame {
        text: Arc<str>,
        seq: Option<u64>,
        event: Option<&'static str>,
    },
    /// Close the connection with this code.
    Close { code: u16, reason: &'static str },
    /// A control frame (op 7 Reconnect, op 9 Invalid Session); `forget_session` makes the
    /// connection forget its session (op 9 `false`), so it may identify again.
    Control {
        text: &'static str,
        op: u8,
        forget_session: bool,
    },
    /// Drop the connection without a close frame, as a broken network would.
    Drop,
}

/// Why an identify was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum IdentifyRefusal {
    /// Another identify of the same bucket in the identify window (answered with op 9).
    Concurrency { bucket: u32 },
    /// `session_start_limit` is spent (sessions closed with 4004, as Discord resets the token).
    Budget,
}

/// The payload of a dispatch, which may depend on the session's intents.
#[derive(Clone, Debug)]
pub(crate) enum Payload {
    /// Every session gets the same data.
    Same(Arc<str>),
    /// Sessions with `intent` get `with`, others get `without` (message content, member lists).
    ByIntent {
        intent: Intents,
        with: Arc<str>,
        without: Arc<str>,
    },
}

/// One dispatch event, serialized once.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    /// Dispatch name (`t`), e.g. `MESSAGE_CREATE`.
    pub(crate) name: &'static str,
    /// Guild of the event, which decides the shard; `None` goes to shard 0.
    pub(crate) guild_id: Option<Id<GuildMarker>>,
    /// The session needs at least one of these intents; empty means every session.
    pub(crate) intents: Intents,
    /// The `d` field.
    pub(crate) payload: Payload,
}

impl Event {
    /// An event whose data does not depend on intents.
    pub(crate) fn new(
        name: &'static str,
        guild_id: Option<Id<GuildMarker>>,
        intents: Intents,
        data: &impl Serialize,
    ) -> Self {
        Self {
            name,
            guild_id,
            intents,
            payload: Payload::Same(dispatch_json(name, data)),
        }
    }
}

/// Serializes the data of the dispatch `name` in Discord's wire format.
pub(crate) fn dispatch_json(name: &str, data: &impl Serialize) -> Arc<str> {
    to_json(&crate::wire::dispatch(name, data))
}

/// Serializes gateway data; the emulator's own payload types always serialize.
pub(crate) fn to_json(data: &impl Serialize) -> Arc<str> {
    serde_json::to_string(data)
        .unwrap_or_else(|error| {
            tracing::error!(%error, "cannot serialize a gateway payload");
            "null".to_owned()
        })
        .into()
}

/// The shard a guild belongs to: `(guild_id >> 22) % shard_count`.
pub fn shard_for_guild(guild_id: Id<GuildMarker>, shard_count: u32) -> u32 {
    let shard_count = u64::from(shard_count.max(1));
    u32::try_from((guild_id.get() >> 22) % shard_count).unwrap_or(0)
}

/// A connection currently carrying a session.
#[derive(Debug)]
struct Link {
    connection_id: u64,
    tx: mpsc::UnboundedSender<Outbound>,
}

/// An identified gateway session.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) shard: [u32; 2],
    pub(crate) intents: Intents,
    seq: u64,
    buffer: VecDeque<(u64, Arc<str>, &'static str)>,
    link: Option<Link>,
    detached_at: Option<Instant>,
}

impl Session {
    fn wants(&self, event: &Event) -> bool {
        let shard = match event.guild_id {
            Some(guild_id) => shard_for_guild(guild_id, self.shard[1]),
            None => 0,
        };
        shard == self.shard[0]
            && (event.intents.is_empty() || self.intents.intersects(event.intents))
    }

    /// Lets go of the dispatches up to `seq`, which the client has: a resume asks only for
    /// those after the last sequence number it saw.
    fn forget_through(&mut self, seq: u64) {
        let seq = seq.min(self.seq);
        while self.buffer.front().is_some_and(|(kept, ..)| *kept <= seq) {
            self.buffer.pop_front();
        }
    }

    fn push(&mut self, name: &'static str, data: &str, replay_limit: usize) {
        self.seq += 1;
        let seq = self.seq;
        let text: Arc<str> = format!(r#"{{"op":0,"s":{seq},"t":"{name}","d":{data}}}"#).into();
        self.buffer.push_back((seq, Arc::clone(&text), name));
        while self.buffer.len() > replay_limit {
            self.buffer.pop_front();
        }
        if let Some(link) = &self.link {
            // A closed receiver means the connection is ending; the frame stays in the buffer.
            let _ = link.tx.send(Outbound::Frame {
                text,
                seq: Some(seq),
                event: Some(name),
            });
        }
    }
}

/// Public view of a gateway session, for tests and the admin routes.
#[derive(Clone, Debug, Serialize)]
pub struct SessionInfo {
    /// The session id given in Ready.
    pub session_id: String,
    /// `[shard_id, shard_count]`.
    pub shard: [u32; 2],
    /// Intents given at identify.
    pub intents: u64,
    /// Whether a connection currently carries the session.
    pub connected: bool,
    /// Last sequence number dispatched to the session.
    pub sequence: u64,
    /// Dispatches kept for a resume: those after the sequence number of the client's last
    /// heartbeat (or resume), at most the replay buffer's size.
    pub replayable: usize,
}

/// Why a resume was refused (answered with op 9 `false`).
#[derive(Debug)]
pub(crate) enum ResumeRefusal {
    UnknownSession,
    /// Events the client missed are no longer in the replay buffer.
    TooOld,
}

/// Every gateway session of the emulator.
#[derive(Debug)]
pub(crate) struct Hub {
    sessions: HashMap<String, Session>,
    replay_limit: usize,
    resume_window: Duration,
    next_connection_id: u64,
    /// Identifies accepted since start (reported in `session_start_limit`).
    pub(crate) identifies: u32,
    /// Dispatches pushed to sessions since start.
    pub(crate) dispatched: u64,
    /// Last accepted identify per identify bucket (`shard_id % max_concurrency`).
    last_identify: HashMap<u32, Instant>,
    /// Start of the current `session_start_limit` period and identifies in it.
    budget_start: Option<Instant>,
    budget_used: u32,
    /// Identifies of a shard that already had a connected session.
    pub(crate) duplicate_shard_sessions: u64,
}

/// Limits an identify must respect, from the configuration.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IdentifyLimits {
    pub(crate) max_concurrency: u32,
    pub(crate) window: Duration,
    pub(crate) tolerance: Duration,
    pub(crate) total: u32,
    pub(crate) reset: Duration,
}

impl Hub {
    pub(crate) fn new(replay_limit: usize, resume_window: Duration) -> Self {
        Self {
            sessions: HashMap::new(),
            replay_limit: replay_limit.max(1),
            resume_window,
            next_connection_id: 0,
            identifies: 0,
            dispatched: 0,
            last_identify: HashMap::new(),
            budget_start: None,
            budget_used: 0,
            duplicate_shard_sessions: 0,
        }
    }

    /// `session_start_limit`: what is left of the budget and when it refills.
    pub(crate) fn session_start_remaining(&mut self, limits: IdentifyLimits) -> (u32, Duration) {
        let now = Instant::now();
        if self
            .budget_start
            .is_some_and(|start| now.saturating_duration_since(start) >= limits.reset)
        {
            self.budget_start = None;
            self.budget_used = 0;
        }
        let reset_after = self.budget_start.map_or(limits.reset, |start| {
            limits
                .reset
                .saturating_sub(now.saturating_duration_since(start))
        });
        (limits.total.saturating_sub(self.budget_used), reset_after)
    }

    /// Admits an identify of `shard_id` or says why not; an admitted identify is counted
    /// against its bucket's window and the session budget.
    pub(crate) fn admit_identify(
        &mut self,
        shard_id: u32,
        limits: IdentifyLimits,
    ) -> Result<u32, IdentifyRefusal> {
        let now = Instant::now();
        let (remaining, _) = self.session_start_remaining(limits);
        if remaining == 0 {
            return Err(IdentifyRefusal::Budget);
        }
        let bucket = shard_id % limits.max_concurrency.max(1);
        let window = limits.window;
        let tolerance = limits.tolerance.min(window / 2);
        if self
            .last_identify
            .get(&bucket)
            .is_some_and(|last| now.saturating_duration_since(*last) + tolerance < window)
        {
            return Err(IdentifyRefusal::Concurrency { bucket });
        }
        self.last_identify.insert(bucket, now);
        self.budget_start.get_or_insert(now);
        self.budget_used += 1;
        Ok(bucket)
    }

    /// Sends `make()` to the connected sessions of the given shards (all when `None`) and,
    /// with `forget`, ends those sessions (op 9 `false`); returns how many were reached.
    pub(crate) fn control(
        &mut self,
        shards: Option<&[u32]>,
        forget: bool,
        make: impl Fn() -> Outbound,
    ) -> usize {
        let mut reached = Vec::new();
        for session in self.sessions.values_mut() {
            if shards.is_some_and(|shards| !shards.contains(&session.shard[0])) {
                continue;
            }
            if let Some(link) = &session.link
                && link.tx.send(make()).is_ok()
            {
                reached.push(session.id.clone());
            }
        }
        if forget {
            for id in &reached {
                self.sessions.remove(id);
            }
        }
        reached.len()
    }

    /// Ends every session, closing connected ones with `code` (the session budget is spent).
    pub(crate) fn end_all(&mut self, code: u16, reason: &'static str) {
        self.close_all(code, reason);
        self.sessions.clear();
    }

    /// Sessions per shard, connected and resumable, for the metrics.
    pub(crate) fn sessions_per_shard(&self) -> std::collections::BTreeMap<(u32, u32), (u64, u64)> {
        let mut counts = std::collections::BTreeMap::new();
        for session in self.sessions.values() {
            let entry: &mut (u64, u64) = counts
                .entry((session.shard[0], session.shard[1]))
                .or_default();
            if session.link.is_some() {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
        counts
    }

    /// A fresh id for a websocket connection.
    pub(crate) fn connection_id(&mut self) -> u64 {
        self.next_connection_id += 1;
        self.next_connection_id
    }

    /// Sends the event to every session whose shard and intents match.
    /// Whether any session exists (connected, or disconnected and resumable).
    pub(crate) fn has_sessions(&self) -> bool {
        !self.sessions.is_empty()
    }

    pub(crate) fn dispatch(&mut self, event: &Event) {
        self.prune();
        for session in self.sessions.values_mut() {
            if !session.wants(event) {
                continue;
            }
            let data = match &event.payload {
                Payload::Same(data) => data,
                Payload::ByIntent {
                    intent,
                    with,
                    without,
                } => {
                    if session.intents.contains(*intent) {
                        with
                    } else {
                        without
                    }
                }
            };
            session.push(event.name, data, self.replay_limit);
            self.dispatched += 1;
        }
    }

    /// Registers a newly identified session carried by a connection.
    pub(crate) fn create_session(
        &mut self,
        id: String,
        shard: [u32; 2],
        intents: Intents,
        connection_id: u64,
        tx: mpsc::UnboundedSender<Outbound>,
    ) {
        self.identifies += 1;
        if self
            .sessions
            .values()
            .any(|session| session.shard == shard && session.link.is_some())
        {
            self.duplicate_shard_sessions += 1;
            tracing::info!(
                ?shard,
                "a shard identified twice: both connections get events"
            );
        }
        self.sessions.insert(
            id.clone(),
            Session {
                id,
                shard,
                intents,
                seq: 0,
                buffer: VecDeque::new(),
                link: Some(Link { connection_id, tx }),
                detached_at: None,
            },
        );
    }

    /// Sends a dispatch to one session only (Ready, its GUILD_CREATEs, RESUMED).
    pub(crate) fn send_to(&mut self, session_id: &str, name: &'static str, data: &str) {
        if let Some(session) = self.sessions.get_mut(session_id) {
            session.push(name, data, self.replay_limit);
        }
    }

    pub(crate) fn session(&self, session_id: &str) -> Option<&Session> {
        self.sessions.get(session_id)
    }

    /// Attaches a session to a new connection and replays what it missed after `seq`.
    pub(crate) fn resume(
        &mut self,
        session_id: &str,
        seq: u64,
        connection_id: u64,
        tx: mpsc::UnboundedSender<Outbound>,
    ) -> Result<(), ResumeRefusal> {
        self.prune();
        let session = self
            .sessions
            .get_mut(session_id)
            .ok_or(ResumeRefusal::UnknownSession)?;
        let oldest = session
            .buffer
            .front()
            .map_or(session.seq + 1, |(seq, ..)| *seq);
        if seq > session.seq || (seq + 1 < oldest && session.seq > seq) {
            return Err(ResumeRefusal::TooOld);
        }
        if let Some(previous) = session.link.take() {
            let _ = previous.tx.send(Outbound::Close {
                code: 4009,
                reason: "session resumed on another connection",
            });
        }
        for (frame_seq, text, name) in &session.buffer {
            if *frame_seq > seq {
                let _ = tx.send(Outbound::Frame {
                    text: Arc::clone(text),
                    seq: Some(*frame_seq),
                    event: Some(name),
                });
            }
        }
        session.forget_through(seq);
        session.link = Some(Link { connection_id, tx });
        session.detached_at = None;
        Ok(())
    }

    /// A heartbeat carried `seq`, the last sequence number the client saw: what it has
    /// cannot be asked for again, so it leaves the replay buffer. (Without this the buffer
    /// held every GUILD_CREATE of a shard's start — tens of kilobytes a guild — until 10,000
    /// later dispatches pushed them out.)
    pub(crate) fn acknowledge(&mut self, session_id: &str, seq: u64) {
        if let Some(session) = self.sessions.get_mut(session_id) {
            session.forget_through(seq);
        }
    }

    /// The connection carrying the session went away; the session stays resumable.
    pub(crate) fn detach(&mut self, session_id: &str, connection_id: u64) {
        if let Some(session) = self.sessions.get_mut(session_id)
            && session
                .link
                .as_ref()
                .is_some_and(|link| link.connection_id == connection_id)
        {
            session.link = None;
            session.detached_at = Some(Instant::now());
        }
    }

    /// The client ended the session (close 1000/1001, or a new identify).
    pub(crate) fn end(&mut self, session_id: &str) {
        self.sessions.remove(session_id);
    }

    /// Closes every connection of every session (used at shutdown and for fault injection).
    pub(crate) fn close_all(&mut self, code: u16, reason: &'static str) {
        for session in self.sessions.values_mut() {
            if let Some(link) = &session.link {
                let _ = link.tx.send(Outbound::Close { code, reason });
            }
        }
    }

    /// How many sessions have a connection now.
    pub(crate) fn connected(&self) -> usize {
        self.sessions
            .values()
            .filter(|session| session.link.is_some())
            .count()
    }

    pub(crate) fn infos(&self) -> Vec<SessionInfo> {
        let mut infos: Vec<SessionInfo> = self
            .sessions
            .values()
            .map(|session| SessionInfo {
                session_id: session.id.clone(),
                shard: session.shard,
                intents: session.intents.bits(),
                connected: session.link.is_some(),
                sequence: session.seq,
                replayable: session.buffer.len(),
            })
            .collect();
        infos.sort_by(|a, b| a.shard.cmp(&b.shard).then(a.session_id.cmp(&b.session_id)));
        infos
    }

    /// Forgets sessions detached for longer than the resume window.
    fn prune(&mut self) {
        let window = self.resume_window;
        self.sessions.retain(|_, session| {
            session
                .detached_at
                .is_none_or(|detached| detached.elapsed() <= window)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guilds_go_to_their_shard() {
        let guild = Id::new((7_u64 << 22) | 5);
        assert_eq!(shard_for_guild(guild, 1), 0);
        assert_eq!(shard_for_guild(guild, 4), 3);
    }

    #[test]
    fn dispatch_respects_shards_intents_and_replays_on_resume() {
        let mut hub = Hub::new(100, Duration::from_secs(60));
        let (tx0, mut rx0) = mpsc::unbounded_channel();
        let (tx1, mut rx1) = mpsc::unbounded_channel();
        hub.create_session("a".into(), [0, 2], Intents::GUILDS, 1, tx0);
        hub.create_session("b".into(), [1, 2], Intents::GUILD_MESSAGES, 2, tx1);
        let guild_on_shard_1 = Id::new(1_u64 << 22);
        hub.dispatch(&Event::new(
            "CHANNEL_CREATE",
            Some(guild_on_shard_1),
            Intents::GUILDS,
            &1,
        ));
        hub.dispatch(&Event::new(
            "MESSAGE_CREATE",
            Some(guild_on_shard_1),
            Intents::GUILD_MESSAGES,
            &2,
        ));
        hub.dispatch(&Event::new(
            "INTERACTION_CREATE",
            None,
            Intents::empty(),
            &3,
        ));
        let shard0: Vec<_> = std::iter::from_fn(|| rx0.try_recv().ok()).collect();
        let shard1: Vec<_> = std::iter::from_fn(|| rx1.try_recv().ok()).collect();
        assert_eq!(shard0.len(), 1, "{shard0:?}");
        assert_eq!(shard1.len(), 1, "{shard1:?}");

        hub.detach("b", 2);
        hub.dispatch(&Event::new(
            "MESSAGE_CREATE",
            Some(guild_on_shard_1),
            Intents::GUILD_MESSAGES,
            &4,
        ));
        let (tx2, mut rx2) = mpsc::unbounded_channel();
        hub.resume("b", 1, 3, tx2).expect("resumable");
        let replayed: Vec<_> = std::iter::from_fn(|| rx2.try_recv().ok()).collect();
        assert_eq!(replayed.len(), 1);
        let kept = |hub: &Hub| {
            hub.infos()
                .iter()
                .find(|info| info.session_id == "b")
                .map(|info| (info.sequence, info.replayable))
        };
        assert_eq!(
            kept(&hub),
            Some((2, 1)),
            "the resume let go of what the client had"
        );

        // A heartbeat's sequence number lets go of what the client has; a resume from before
        // it is refused, one from it replays what came after.
        for n in 5..8 {
            hub.dispatch(&Event::new(
                "MESSAGE_CREATE",
                Some(guild_on_shard_1),
                Intents::GUILD_MESSAGES,
                &n,
            ));
        }
        assert_eq!(kept(&hub), Some((5, 4)));
        hub.acknowledge("b", 4);
        assert_eq!(kept(&hub), Some((5, 1)));
        hub.acknowledge("b", 99);
        assert_eq!(kept(&hub), Some((5, 0)), "never past what was dispatched");
        hub.detach("b", 3);
        assert!(matches!(
            hub.resume("b", 3, 4, mpsc::unbounded_channel().0),
            Err(ResumeRefusal::TooOld)
        ));
        let (tx3, mut rx3) = mpsc::unbounded_channel();
        hub.resume("b", 5, 5, tx3).expect("resumable");
        assert!(rx3.try_recv().is_err(), "nothing missed");
        assert!(matches!(
            hub.resume("nope", 0, 4, mpsc::unbounded_channel().0),
            Err(ResumeRefusal::UnknownSession)
        ));
    }
}
