//! The bot end to end, through the local Discord emulator over real sockets: people act as they
//! would on Discord (run a command, click, type, upload) and the tests check what they see.

mod access_command;
mod blacklist;
mod bounded;
mod configuration;
mod faults;
mod healing;
mod helpline_command;
mod http_interactions;
mod my_tickets;
mod panel_command;
mod settings;
mod staff;
mod staff_commands;
mod stats;
mod story;
mod tags;
mod threads;
mod ticket_command;
mod ticket_timers;
mod topic_command;
mod transcript_reads;
mod world;
