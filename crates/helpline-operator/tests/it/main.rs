//! The operator's integration tests, one binary: reconciliations against an in-process fake
//! Kubernetes API server (`fake`) with the Discord emulator answering `/gateway/bot`, and the
//! committed CRD checked against the Rust type.

mod controller;
mod crd;
mod fake;
