//! The proxy's tests: the limits' contract on Redis and in memory, and the proxy itself between
//! twilight clients and the emulator enforcing Discord's limits.

mod forward;
mod limits;
