//! An in-process Kubernetes API server, as a tower service a `kube::Client` is built on: it keeps
//! objects by path, answers GET, PATCH (strategic merge and JSON merge, the `status`
//! subresource) and POST (Events), bumps `metadata.generation` when a spec changes, and fails
//! the next requests on demand. A StatefulSet controller is simulated beside it
//! ([`FakeApi::run_statefulset_controller`]), greedy on purpose: it restarts every pod the
//! partition allows at once, so only the operator's partition keeps restarts one at a time.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use http::{Method, Request, Response, StatusCode};
use kube::client::Body;
use serde_json::{Value, json};

pub(crate) const NAMESPACE: &str = "helpline";
pub(crate) const STATEFULSET: &str = "helpline-shards";
pub(crate) const STATEFULSET_PATH: &str =
    "/apis/apps/v1/namespaces/helpline/statefulsets/helpline-shards";
pub(crate) const CLUSTER_PATH: &str =
    "/apis/helpline.dev/v1alpha1/namespaces/helpline/helplineclusters/helpline";

/// One pod of the simulated StatefulSet: the template revision it runs, and whether it is ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pod {
    pub(crate) revision: u64,
    pub(crate) ready: bool,
}

#[derive(Default)]
struct State {
    objects: BTreeMap<String, Value>,
    /// `(method, path)` of every request, in order.
    requests: Vec<(Method, String)>,
    events: Vec<Value>,
    fail_next: u32,
    /// The StatefulSet's pods by ordinal, and its template revision (bumped when the template
    /// changes).
    pods: Vec<Pod>,
    revision: u64,
    template: Value,
}

#[derive(Clone, Default)]
pub(crate) struct FakeApi {
    state: Arc<Mutex<State>>,
}

impl FakeApi {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// A client talking to this server.
    pub(crate) fn client(&self) -> kube::Client {
        let api = self.clone();
        let service = tower::service_fn(move |request: Request<Body>| {
            let api = api.clone();
            async move { Ok::<_, std::convert::Infallible>(api.handle(request).await) }
        });
        kube::Client::new(service, NAMESPACE)
    }

    pub(crate) fn insert(&self, path: &str, object: Value) {
        self.state().objects.insert(path.to_owned(), object);
    }

    pub(crate) fn get(&self, path: &str) -> Value {
        self.state().objects[path].clone()
    }

    /// Changes an object as another client would (a user editing a spec bumps its generation).
    pub(crate) fn edit(&self, path: &str, edit: impl FnOnce(&mut Value)) {
        let mut state = self.state();
        let object = state.objects.get_mut(path).unwrap();
        let before = object["spec"].clone();
        edit(object);
        if object["spec"] != before {
            bump_generation(object);
        }
    }

    /// The next `count` requests are answered 500.
    pub(crate) fn fail_next(&self, count: u32) {
        self.state().fail_next = count;
    }

    pub(crate) fn requests(&self) -> Vec<(Method, String)> {
        self.state().requests.clone()
    }

    /// The `reason`s of the Events recorded so far.
    pub(crate) fn event_reasons(&self) -> Vec<String> {
        self.state()
            .events
            .iter()
            .map(|event| event["reason"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    pub(crate) fn events(&self) -> Vec<Value> {
        self.state().events.clone()
    }

    pub(crate) fn pods(&self) -> Vec<Pod> {
        self.state().pods.clone()
    }

    /// A StatefulSet of `replicas` ready pods running its template.
    pub(crate) fn create_statefulset(&self, replicas: u32, env: Value) {
        let template = json!({
            "metadata": {"labels": {"app.kubernetes.io/component": "shards"}},
            "spec": {
                "containers": [{
                    "name": "helpline",
                    "image": "ghcr.io/helpline/helpline:0.1.0",
                    "args": ["run"],
                    "env": env,
                }],
            },
        });
        let statefulset = json!({
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": {"name": STATEFULSET, "namespace": NAMESPACE, "generation": 1},
            "spec": {
                "replicas": replicas,
                "podManagementPolicy": "Parallel",
                "serviceName": STATEFULSET,
                "selector": {"matchLabels": {"app.kubernetes.io/component": "shards"}},
                "template": template,
            },
        });
        let mut state = self.state();
        state.revision = 1;
        state.template = template;
        state.pods = vec![
            Pod {
                revision: 1,
                ready: true
            };
            replicas as usize
        ];
        state
            .objects
            .insert(STATEFULSET_PATH.to_owned(), statefulset);
        drop(state);
        self.write_statefulset_status();
    }

    /// One pass of the StatefulSet controller: a new template is a new revision; pods are
    /// created or removed to the replicas; every pod at or above the partition running an older
    /// revision is restarted at once (not ready until [`FakeApi::pods_become_ready`]); the
    /// status is written for the current generation.
    pub(crate) fn run_statefulset_controller(&self) {
        let mut state = self.state();
        let spec = state.objects[STATEFULSET_PATH]["spec"].clone();
        if spec["template"] != state.template {
            state.revision += 1;
            state.template = spec["template"].clone();
        }
        let replicas = spec["replicas"].as_u64().unwrap() as usize;
        let partition = spec["updateStrategy"]["rollingUpdate"]["partition"]
            .as_u64()
            .unwrap_or(0) as usize;
        let revision = state.revision;
        // A new pod below the partition is created at the revision before the update.
        while state.pods.len() < replicas {
            let ordinal = state.pods.len();
            let at = if ordinal >= partition {
                revision
            } else {
                revision - 1
            };
            state.pods.push(Pod {
                revision: at,
                ready: false,
            });
        }
        state.pods.truncate(replicas);
        for pod in state.pods.iter_mut().skip(partition) {
            if pod.revision != revision {
                *pod = Pod {
                    revision,
                    ready: false,
                };
            }
        }
        drop(state);
        self.write_statefulset_status();
    }

    /// Every restarted pod finishes starting and passes its readiness probe.
    pub(crate) fn pods_become_ready(&self) {
        for pod in self.state().pods.iter_mut() {
            pod.ready = true;
        }
        self.write_statefulset_status();
    }

    fn write_statefulset_status(&self) {
        let mut state = self.state();
        let revision = state.revision;
        let updated = state.pods.iter().filter(|p| p.revision == revision).count();
        let ready = state.pods.iter().filter(|p| p.ready).count();
        let replicas = state.pods.len();
        let statefulset = state.objects.get_mut(STATEFULSET_PATH).unwrap();
        let generation = statefulset["metadata"]["generation"].clone();
        statefulset["status"] = json!({
            "observedGeneration": generation,
            "replicas": replicas,
            "readyReplicas": ready,
            "updatedReplicas": updated,
            "updateRevision": format!("{STATEFULSET}-{revision}"),
        });
    }

    async fn handle(&self, request: Request<Body>) -> Response<Body> {
        let (parts, body) = request.into_parts();
        let body = body.collect_bytes().await.unwrap();
        let path = parts.uri.path().to_owned();
        let mut state = self.state();
        state.requests.push((parts.method.clone(), path.clone()));
        if state.fail_next > 0 {
            state.fail_next -= 1;
            return status(500, "InternalError", "the fake API server fails on demand");
        }
        let content_type = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        match parts.method {
            Method::GET => match state.objects.get(&path) {
                Some(object) => ok(object),
                None => status(404, "NotFound", "not found"),
            },
            // Events: created, then patched with a series when the same one recurs (kube's
            // recorder does so); every publication is kept in order.
            Method::POST if path.ends_with("/events") => {
                let event: Value = serde_json::from_slice(&body).unwrap();
                let name = event["metadata"]["name"].as_str().unwrap().to_owned();
                state
                    .objects
                    .insert(format!("{path}/{name}"), event.clone());
                state.events.push(event.clone());
                respond(StatusCode::CREATED, &event)
            }
            Method::PATCH if path.contains("/events/") => {
                let patch: Value = serde_json::from_slice(&body).unwrap();
                let Some(event) = state.objects.get_mut(&path) else {
                    return status(404, "NotFound", "no such event");
                };
                merge(event, &patch, false);
                let event = event.clone();
                state.events.push(event.clone());
                ok(&event)
            }
            Method::PATCH => {
                let patch: Value = serde_json::from_slice(&body).unwrap();
                let (path, subresource) = match path.strip_suffix("/status") {
                    Some(path) => (path.to_owned(), true),
                    None => (path, false),
                };
                let Some(object) = state.objects.get_mut(&path) else {
                    return status(404, "NotFound", "not found");
                };
                let strategic = content_type == "application/strategic-merge-patch+json";
                assert!(
                    strategic || content_type == "application/merge-patch+json",
                    "unexpected patch type {content_type}"
                );
                if subresource {
                    // The status subresource changes the status only.
                    let mut status = object["status"].clone();
                    merge(&mut status, &patch["status"], strategic);
                    object["status"] = status;
                } else {
                    let before = object["spec"].clone();
                    let mut patch = patch;
                    if let Some(map) = patch.as_object_mut() {
                        map.remove("status");
                    }
                    merge(object, &patch, strategic);
                    if object["spec"] != before {
                        bump_generation(object);
                    }
                }
                ok(object)
            }
            method => panic!("the operator sent an unexpected {method} {path}"),
        }
    }
}

fn bump_generation(object: &mut Value) {
    let generation = object["metadata"]["generation"].as_i64().unwrap_or(0);
    object["metadata"]["generation"] = json!(generation + 1);
}

/// JSON merge patch (RFC 7386); `strategic` also merges lists of named objects by name, as
/// Kubernetes' strategic merge does for containers and their environment.
fn merge(target: &mut Value, patch: &Value, strategic: bool) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    merge(
                        target.entry(key.clone()).or_insert(Value::Null),
                        value,
                        strategic,
                    );
                }
            }
        }
        (Value::Array(target), Value::Array(patch))
            if strategic && patch.iter().all(|item| item["name"].is_string()) =>
        {
            for item in patch {
                match target
                    .iter_mut()
                    .find(|existing| existing["name"] == item["name"])
                {
                    Some(existing) => merge(existing, item, strategic),
                    None => target.push(item.clone()),
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

fn ok(object: &Value) -> Response<Body> {
    respond(StatusCode::OK, object)
}

fn respond(code: StatusCode, object: &Value) -> Response<Body> {
    Response::builder()
        .status(code)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(object).unwrap()))
        .unwrap()
}

fn status(code: u16, reason: &str, message: &str) -> Response<Body> {
    respond(
        StatusCode::from_u16(code).unwrap(),
        &json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "code": code,
        }),
    )
}
