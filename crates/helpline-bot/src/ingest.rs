//! Cheap ingest: a gateway message is looked at before it is parsed. Most of a busy guild's
//! messages are in channels that are no ticket's; for those (a channel the ticket-channel index
//! knows is none), MESSAGE_CREATE, MESSAGE_UPDATE and MESSAGE_DELETE(_BULK) are dropped after a
//! borrowed read of their type and channel id — twilight's `Message` is never built. A
//! MESSAGE_CREATE that is kept is read straight into twilight's `Message` (twilight's own parse
//! goes through `MessageCreate`, whose flattened message makes serde first copy the whole payload
//! into a tree of owned values and then read that tree). Everything else is parsed by twilight,
//! and events keep their order.

use crate::channels::{Lookup, TicketChannels};
use helpline_domain::ChannelId;
use serde::Deserialize;
use twilight_gateway::error::ReceiveMessageError;
use twilight_gateway::{Event, EventTypeFlags, Message};
use twilight_model::channel::ChannelType;
use twilight_model::gateway::event::GatewayEventDeserializer;
use twilight_model::gateway::payload::incoming::MessageCreate;

/// The part of a dispatch the decision reads: `d.channel_id` (and, for MESSAGE_CREATE, the
/// `channel_type` beside the message), every other value skipped without being kept.
#[derive(Deserialize)]
struct Peek {
    d: PeekData,
}

#[derive(Deserialize)]
struct PeekData {
    channel_id: Option<ChannelId>,
    channel_type: Option<ChannelType>,
}

/// A MESSAGE_CREATE dispatch whose `d` is read as the message itself.
#[derive(Deserialize)]
struct CreatedMessage {
    d: twilight_model::channel::Message,
}

/// What the borrowed read found in a message event.
struct Peeked {
    kind: &'static str,
    channel: ChannelId,
    channel_type: Option<ChannelType>,
}

/// The event in a gateway message, or `None` when there is none Helpline needs: a message event
/// in a channel known to be no ticket's (counted in `helpline_bot_gateway_events_skipped_total`),
/// or a payload twilight does not turn into an event.
pub(crate) fn event(
    message: Message,
    tickets: &TicketChannels,
) -> Result<Option<Event>, ReceiveMessageError> {
    match message {
        Message::Close(frame) => Ok(Some(Event::GatewayClose(frame))),
        Message::Text(json) => {
            let peeked = peek(&json);
            if let Some(peeked) = &peeked {
                if tickets.get(peeked.channel) == Lookup::NotATicket {
                    ::metrics::counter!(crate::metrics::GATEWAY_EVENTS_SKIPPED, "type" => peeked.kind)
                        .increment(1);
                    return Ok(None);
                }
                if peeked.kind == "MESSAGE_CREATE"
                    && let Ok(created) = serde_json::from_str::<CreatedMessage>(&json)
                {
                    return Ok(Some(Event::MessageCreate(Box::new(MessageCreate {
                        channel_type: peeked.channel_type,
                        message: created.d,
                    }))));
                }
            }
            // Anything else, and a message the direct read refused (twilight says why).
            Ok(twilight_gateway::parse(json, EventTypeFlags::all())?.map(Into::into))
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
/// MESSAGE_DELETE_BULK), with a MESSAGE_CREATE's channel type; `None` for any other payload.
fn peek(json: &str) -> Option<Peeked> {
    let gateway = GatewayEventDeserializer::from_json(json)?;
    if gateway.op() != 0 {
        return None;
    }
    let event_type = gateway.event_type()?;
    let kind = SKIPPED_TYPES.into_iter().find(|kind| *kind == event_type)?;
    let data = serde_json::from_str::<Peek>(json).ok()?.d;
    Some(Peeked {
        kind,
        channel: data.channel_id?,
        channel_type: data.channel_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message_event_channel(json: &str) -> Option<(&'static str, ChannelId)> {
        peek(json).map(|peeked| (peeked.kind, peeked.channel))
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
        ] {
            let json = dispatch("MESSAGE_CREATE", &d);
            let ours = event(Message::Text(json.clone()), &tickets).unwrap();
            let twilight: Option<Event> = twilight_gateway::parse(json, EventTypeFlags::all())
                .unwrap()
                .map(Into::into);
            assert!(matches!(ours, Some(Event::MessageCreate(_))), "{ours:?}");
            assert_eq!(ours, twilight);
        }
        // A payload the direct read refuses is left to twilight, which says why.
        let broken = dispatch("MESSAGE_CREATE", r#"{"id":"10","channel_id":"77"}"#);
        assert!(event(Message::Text(broken), &tickets).is_err());
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
        assert!(event(message(old.get()), &tickets).unwrap().is_none());
        // Unknown channels are parsed (the worker asks the store).
        let unknown = event(message(77), &tickets).unwrap();
        assert!(
            matches!(unknown, Some(Event::MessageCreate(_))),
            "{unknown:?}"
        );
        // Other events are always parsed.
        let other = Message::Text(r#"{"op":11,"d":null}"#.to_owned());
        assert!(matches!(
            event(other, &tickets).unwrap(),
            Some(Event::GatewayHeartbeatAck)
        ));
    }
}
