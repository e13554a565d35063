//! Cheap ingest: a gateway message is looked at before it is parsed. Most of a busy guild's
//! messages are in channels that are no ticket's; for those (a channel the ticket-channel index
//! knows is none), MESSAGE_CREATE, MESSAGE_UPDATE and MESSAGE_DELETE(_BULK) are dropped after a
//! borrowed scan of their type and channel id ([`scan`]: SIMD compares find the JSON's quotes and
//! braces, and only those are visited) — nothing of them is built. A MESSAGE_CREATE that is
//! kept is read straight into a [`NewMessage`], the fields Helpline uses (twilight's own parse
//! goes through `MessageCreate`, whose flattened message makes serde first copy the whole payload
//! into a tree of owned values and then read that tree into a `Message` of some sixty fields).
//! Everything else is parsed by twilight, and events keep their order.

mod message;
mod scan;

pub(crate) use message::NewMessage;

use crate::channels::{Lookup, TicketChannels};
use helpline_domain::ChannelId;
use twilight_gateway::error::ReceiveMessageError;
use twilight_gateway::{Event, EventTypeFlags, Message};

/// What ingest keeps of a gateway message.
#[derive(Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "moved once, from the shard to its loop, as twilight's `Event` itself is: a box would add an allocation per event"
)]
pub(crate) enum Ingested {
    /// A MESSAGE_CREATE read as Helpline reads messages.
    Message(Box<NewMessage>),
    /// Any other event, as twilight parses it.
    Event(Event),
}

/// The counters of one shard's events (and its messages' lag), looked up once: counting an event is then one atomic
/// add, where a lookup by label hashes and compares the key on every event.
pub(crate) struct EventCounters {
    /// `helpline_bot_gateway_events_skipped_total`, one per [`SKIPPED_TYPES`].
    skipped: [::metrics::Counter; SKIPPED_TYPES.len()],
    /// `helpline_bot_gateway_events_total`, by event type, as they come.
    received: Vec<(&'static str, ::metrics::Counter)>,
    /// `helpline_bot_gateway_event_lag_seconds` of MESSAGE_CREATE, recorded for each message
    /// ingest passes on.
    pub(crate) message_lag: ::metrics::Histogram,
}

impl EventCounters {
    pub(crate) fn new() -> Self {
        Self {
            skipped: SKIPPED_TYPES.map(
                |kind| ::metrics::counter!(crate::metrics::GATEWAY_EVENTS_SKIPPED, "type" => kind),
            ),
            received: Vec::new(),
            message_lag: ::metrics::histogram!(crate::metrics::EVENT_LAG, "type" => "MESSAGE_CREATE"),
        }
    }

    /// The received-events counter of an event type.
    pub(crate) fn received(&mut self, kind: &'static str) -> &::metrics::Counter {
        let at = match self.received.iter().position(|(known, _)| *known == kind) {
            Some(at) => at,
            None => {
                let counter = ::metrics::counter!(crate::metrics::GATEWAY_EVENTS, "type" => kind);
                self.received.push((kind, counter));
                self.received.len() - 1
            }
        };
        &self.received[at].1
    }
}

/// What the borrowed read found in a message event.
struct Peeked {
    /// Its place in [`SKIPPED_TYPES`].
    kind: usize,
    channel: ChannelId,
}

/// The event in a gateway message, or `None` when there is none Helpline needs: a message event
/// in a channel known to be no ticket's (counted in `helpline_bot_gateway_events_skipped_total`),
/// or a payload twilight does not turn into an event.
pub(crate) fn event(
    message: Message,
    tickets: &TicketChannels,
    counters: &EventCounters,
) -> Result<Option<Ingested>, ReceiveMessageError> {
    match message {
        Message::Close(frame) => Ok(Some(Ingested::Event(Event::GatewayClose(frame)))),
        Message::Text(json) => {
            let peeked = peek(&json);
            if let Some(peeked) = &peeked {
                if tickets.get(peeked.channel) == Lookup::NotATicket {
                    counters.skipped[peeked.kind].increment(1);
                    return Ok(None);
                }
                if SKIPPED_TYPES[peeked.kind] == "MESSAGE_CREATE"
                    && let Ok(created) = serde_json::from_str::<message::Dispatch>(&json)
                {
                    return Ok(Some(Ingested::Message(Box::new(created.d))));
                }
            }
            // Anything else, and a message the direct read refused (twilight says why).
            Ok(twilight_gateway::parse(json, EventTypeFlags::all())?
                .map(|event| Ingested::Event(event.into())))
        }
    }
}

/// The message events dropped unparsed outside tickets.
pub(crate) const SKIPPED_TYPES: [&str; 4] = [
    "MESSAGE_CREATE",
    "MESSAGE_UPDATE",
    "MESSAGE_DELETE",
    "MESSAGE_DELETE_BULK",
];

/// The type and channel of a message event (MESSAGE_CREATE, MESSAGE_UPDATE, MESSAGE_DELETE,
/// MESSAGE_DELETE_BULK); `None` for any other payload, and
/// whenever the scan declines.
fn peek(json: &str) -> Option<Peeked> {
    let scanned = scan::scan(json)?;
    if scanned.op != Some(0) {
        return None;
    }
    let kind = SKIPPED_TYPES
        .into_iter()
        .position(|kind| Some(kind) == scanned.kind)?;
    Some(Peeked {
        kind,
        channel: scanned.channel_id?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message_event_channel(json: &str) -> Option<(&'static str, ChannelId)> {
        peek(json).map(|peeked| (SKIPPED_TYPES[peeked.kind], peeked.channel))
    }

    fn dispatch(kind: &str, d: &str) -> String {
        format!(r#"{{"op":0,"s":7,"t":"{kind}","d":{d}}}"#)
    }

    #[test]
    fn the_channel_is_the_top_level_one_whatever_comes_first() {
        // A reply names another channel in its reference before its own channel id.
        let json = dispatch(
            "MESSAGE_CREATE",
            r#"{"message_reference":{"channel_id":"111","message_id":"5"},"referenced_message":{"channel_id":"111","id":"5"},"content":"\"channel_id\":\"222\"","channel_id":"333","id":"9"}"#,
        );
        assert_eq!(
            message_event_channel(&json),
            Some(("MESSAGE_CREATE", ChannelId::new(333)))
        );
        for kind in ["MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"] {
            let json = dispatch(kind, r#"{"ids":["1"],"id":"1","channel_id":"44"}"#);
            assert_eq!(
                message_event_channel(&json),
                Some((kind, ChannelId::new(44)))
            );
        }
    }

    proptest::proptest! {
        /// The peek finds `d`'s own channel id, wherever it stands among
        /// values of any shape, compact or pretty-printed; and nothing when `d` has none.
        #[test]
        fn the_peek_finds_ds_own_channel(
            members in proptest::collection::vec(("[a-z_]{1,8}", scan::tests::value()), 0..8),
            at in 0usize..8,
            channel in 1u64..u64::MAX,
            with_channel: bool,
            pretty: bool,
        ) {
            let mut d: Vec<(String, serde_json::Value)> = members
                .into_iter()
                .filter(|(key, _)| key != "channel_id")
                .collect();
            if with_channel {
                d.insert(at.min(d.len()), ("channel_id".to_owned(), channel.to_string().into()));
            }
            let mut d: serde_json::Map<String, serde_json::Value> = d.into_iter().collect();
            d.insert("nested".to_owned(), serde_json::json!({"channel_id": "5", "d": {"channel_id": "6"}}));
            let d = if pretty {
                serde_json::to_string_pretty(&d).unwrap()
            } else {
                serde_json::to_string(&d).unwrap()
            };
            // The envelope as Discord writes it, its type before `d`.
            let json = dispatch("MESSAGE_UPDATE", &d);
            let expected = with_channel.then(|| ("MESSAGE_UPDATE", ChannelId::new(channel)));
            proptest::prop_assert_eq!(message_event_channel(&json), expected);
        }
    }

    #[test]
    fn a_malformed_or_odd_channel_is_no_channel() {
        for d in [
            r#"{"channel_id":"0"}"#,
            r#"{"channel_id":"12a"}"#,
            r#"{"channel_id":"99999999999999999999"}"#,
            r#"{"channel_id":""}"#,
            r#"{"channel_id":null}"#,
            r#"{"content":"unterminated"#,
            r#"{"a":{"b":[1,2}"#,
            r#"["channel_id","1"]"#,
        ] {
            assert_eq!(
                message_event_channel(&dispatch("MESSAGE_CREATE", d)),
                None,
                "{d}"
            );
        }
        // Spaces anywhere JSON allows them.
        let spaced = dispatch(
            "MESSAGE_DELETE",
            "\n { \"id\" : \"1\" ,\t\"channel_id\" : \"42\" } ",
        );
        assert_eq!(
            message_event_channel(&spaced),
            Some(("MESSAGE_DELETE", ChannelId::new(42)))
        );
    }

    #[test]
    fn other_payloads_are_not_message_events() {
        assert_eq!(
            message_event_channel(&dispatch(
                "CHANNEL_UPDATE",
                r#"{"id":"1","channel_id":"2"}"#
            )),
            None
        );
        assert_eq!(message_event_channel(r#"{"op":11,"d":null}"#), None);
        assert_eq!(message_event_channel("not json"), None);
        assert_eq!(
            message_event_channel(&dispatch("MESSAGE_CREATE", r#"{"id":"1"}"#)),
            None
        );
    }

    #[test]
    fn a_kept_message_is_the_event_twilight_parses() {
        let tickets = TicketChannels::default();
        let full = r#"{"id":"10","channel_id":"77","guild_id":"5","channel_type":0,"author":{"id":"3","username":"ann","global_name":"Ann","discriminator":"0","avatar":null,"public_flags":0},"member":{"roles":["8"],"joined_at":"2026-01-01T00:00:00+00:00","nick":"annie","deaf":false,"mute":false,"flags":0},"content":"see \"this\" \u00e9","timestamp":"2026-01-01T00:00:00.123+00:00","edited_timestamp":null,"tts":false,"mention_everyone":false,"mentions":[{"id":"4","username":"bo","discriminator":"0","avatar":null,"public_flags":0,"member":{"roles":[],"joined_at":"2026-01-01T00:00:00+00:00","deaf":false,"mute":false,"flags":0}}],"mention_roles":["8"],"attachments":[{"id":"20","filename":"a.png","size":3,"url":"https://cdn/a.png","proxy_url":"https://cdn/a.png","content_type":"image/png"}],"embeds":[{"type":"rich","title":"T","description":"D","fields":[{"name":"n","value":"v","inline":false}]}],"pinned":false,"type":0,"flags":0,"nonce":"42"}"#;
        for d in [
            full.to_owned(),
            full.replace(r#""channel_type":0,"#, ""),
            full.replace(r#""channel_type":0,"#, r#""channel_type":11,"#),
            // A bot's message with no member, names unset, an embed with a footer, an image and
            // a colour, mentioning a member by nickname.
            r#"{"id":"11","channel_id":"77","guild_id":"5","author":{"id":"9","username":"hook","global_name":null,"discriminator":"0","avatar":null,"bot":true},"content":"","timestamp":"2026-01-01T00:00:01+00:00","edited_timestamp":null,"tts":false,"mention_everyone":false,"mentions":[{"id":"4","username":"bo","discriminator":"0","avatar":null,"public_flags":0,"member":{"roles":[],"nick":"Bobby","joined_at":"2026-01-01T00:00:00+00:00","deaf":false,"mute":false,"flags":0}}],"mention_roles":[],"attachments":[],"embeds":[{"type":"rich","color":16711680,"footer":{"text":"f"},"image":{"url":"https://cdn/i.png"}}],"pinned":false,"type":0}"#.to_owned(),
        ] {
            let json = dispatch("MESSAGE_CREATE", &d);
            let ours = event(Message::Text(json.clone()), &tickets, &EventCounters::new()).unwrap();
            let twilight: Option<Event> = twilight_gateway::parse(json, EventTypeFlags::all())
                .unwrap()
                .map(Into::into);
            let Some(Event::MessageCreate(twilight)) = twilight else {
                panic!("twilight reads a message: {twilight:?}");
            };
            let Some(Ingested::Message(ours)) = ours else {
                panic!("ingest reads a message: {ours:?}");
            };
            assert_eq!(*ours, NewMessage::from(&twilight.message));
        }
        // A payload the direct read refuses is left to twilight, which says why.
        let broken = dispatch("MESSAGE_CREATE", r#"{"id":"10","channel_id":"77"}"#);
        assert!(event(Message::Text(broken), &tickets, &EventCounters::new()).is_err());
    }

    #[test]
    fn only_messages_of_channels_known_to_be_no_tickets_are_skipped() {
        let tickets = TicketChannels::default();
        let message = |channel: u64| {
            Message::Text(dispatch(
                "MESSAGE_CREATE",
                &format!(
                    r#"{{"id":"10","channel_id":"{channel}","author":{{"id":"3","username":"a","discriminator":"0","avatar":null}},"content":"hi","timestamp":"2026-01-01T00:00:00+00:00","edited_timestamp":null,"tts":false,"mention_everyone":false,"mentions":[],"mention_roles":[],"attachments":[],"embeds":[],"pinned":false,"type":0}}"#
                ),
            ))
        };
        // An old channel the store said is no ticket's.
        let old = ChannelId::new(1 << 40);
        tickets.learn(
            old,
            None,
            helpline_domain::Timestamp::from_secs(2_000_000_000),
        );
        assert_eq!(tickets.get(old), Lookup::NotATicket);
        assert!(
            event(message(old.get()), &tickets, &EventCounters::new())
                .unwrap()
                .is_none()
        );
        // Unknown channels are parsed (the worker asks the store).
        let unknown = event(message(77), &tickets, &EventCounters::new()).unwrap();
        assert!(matches!(unknown, Some(Ingested::Message(_))), "{unknown:?}");
        // Other events are always parsed.
        let other = Message::Text(r#"{"op":11,"d":null}"#.to_owned());
        assert!(matches!(
            event(other, &tickets, &EventCounters::new()).unwrap(),
            Some(Ingested::Event(Event::GatewayHeartbeatAck))
        ));
    }
}
