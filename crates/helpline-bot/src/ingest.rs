//! Cheap ingest: a gateway message is looked at before it is parsed. Most of a busy guild's
//! messages are in channels that are no ticket's; for those (a channel the ticket-channel index
//! knows is none), MESSAGE_CREATE, MESSAGE_UPDATE and MESSAGE_DELETE(_BULK) are dropped after a
//! borrowed read of their type and channel id — twilight's `Message` is never built. Everything
//! else is parsed fully, and events keep their order.

use crate::channels::{Lookup, TicketChannels};
use helpline_domain::ChannelId;
use serde::Deserialize;
use twilight_gateway::error::ReceiveMessageError;
use twilight_gateway::{Event, EventTypeFlags, Message};
use twilight_model::gateway::event::GatewayEventDeserializer;

/// The part of a dispatch the decision reads: `d.channel_id`, every other value skipped
/// without being kept.
#[derive(Deserialize)]
struct Peek {
    d: PeekData,
}

#[derive(Deserialize)]
struct PeekData {
    channel_id: Option<ChannelId>,
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
            if let Some((kind, channel)) = message_event_channel(&json)
                && tickets.get(channel) == Lookup::NotATicket
            {
                ::metrics::counter!(crate::metrics::GATEWAY_EVENTS_SKIPPED, "type" => kind)
                    .increment(1);
                return Ok(None);
            }
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
/// MESSAGE_DELETE_BULK); `None` for any other payload.
fn message_event_channel(json: &str) -> Option<(&'static str, ChannelId)> {
    let gateway = GatewayEventDeserializer::from_json(json)?;
    if gateway.op() != 0 {
        return None;
    }
    let event_type = gateway.event_type()?;
    let kind = SKIPPED_TYPES.into_iter().find(|kind| *kind == event_type)?;
    let channel = serde_json::from_str::<Peek>(json).ok()?.d.channel_id?;
    Some((kind, channel))
}

#[cfg(test)]
mod tests {
    use super::*;

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
