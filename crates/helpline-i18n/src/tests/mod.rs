//! The crate's tests, in the library's own test binary: resources, samples of every domain
//! variant rendered in every language, locale choice, plurals and permissions.

mod ftl;
mod render;
mod samples;
