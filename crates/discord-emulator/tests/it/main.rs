//! Integration tests of the Discord emulator with twilight's unmodified clients and raw
//! websocket and HTTP clients. One binary; one module per area.

mod common;
mod discord_py;
mod faults;
mod framing;
mod gateway;
mod healing;
mod http;
mod interactions;
mod limits;
mod messages;
mod oauth2;
mod openapi;
mod sharding;
mod threads;
mod wire;
mod world;
