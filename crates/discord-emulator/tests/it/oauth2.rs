//! Discord's OAuth2 for the web panel: the consent page clicked as a browser would, the code
//! and refresh grants, and the bearer routes validated against Discord's spec.

use serde_json::Value;
use twilight_model::guild::Permissions;

use crate::{
    common::{self, RawResponse, raw_request, raw_request_typed},
    openapi::Report,
};

const FORM: &str = "application/x-www-form-urlencoded";
const REDIRECT: &str = "http://panel.test/callback";

fn query_of(location: &str) -> Vec<(String, String)> {
    location
        .split_once('?')
        .map(|(_, query)| query)
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| {
            (
                key.to_owned(),
                value.replace("%20", " ").replace("%3A", ":"),
            )
        })
        .collect()
}

fn param(location: &str, key: &str) -> Option<String> {
    query_of(location)
        .into_iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value)
}

/// Clicks "Authorize as NAME" (or Cancel) on the consent page: the form's hidden fields and
/// the button's value, posted as the browser would.
async fn click(emulator: &discord_emulator::Emulator, page: &str, button: &str) -> RawResponse {
    let mut fields: Vec<String> = page
        .split("<input type=\"hidden\" ")
        .skip(1)
        .map(|input| {
            let name = input
                .split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let value = input
                .split("value=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let value = value.replace("&amp;", "&").replace("&quot;", "\"");
            format!(
                "{name}={}",
                value
                    .replace(' ', "+")
                    .replace(':', "%3A")
                    .replace('/', "%2F")
            )
        })
        .collect();
    fields.push(button.to_owned());
    raw_request_typed(
        emulator,
        "POST",
        "/oauth2/authorize",
        None,
        Some(&fields.join("&")),
        FORM,
    )
    .await
}

async fn token(emulator: &discord_emulator::Emulator, body: &str) -> RawResponse {
    let body = format!(
        "{body}&client_id={}&client_secret={}",
        emulator.application_id(),
        emulator.client_secret()
    );
    raw_request_typed(
        emulator,
        "POST",
        "/api/v10/oauth2/token",
        None,
        Some(&body),
        FORM,
    )
    .await
}

#[tokio::test]
async fn a_panel_signs_a_member_in_and_reads_their_guilds() {
    let emulator = common::start().await;
    let world = common::world(&emulator, common::bot_permissions());
    let authorize = format!(
        "/oauth2/authorize?client_id={}&redirect_uri=http%3A%2F%2Fpanel.test%2Fcallback&response_type=code&scope=identify+guilds&state=xyz%20123",
        emulator.application_id()
    );
    let page = raw_request(&emulator, "GET", &authorize, None, None).await;
    assert_eq!(page.status, 200);
    let page = String::from_utf8(page.body).unwrap();
    assert!(page.contains("Authorize as alice"), "{page}");

    // Cancel: back to the panel with access_denied and the state.
    let cancelled = click(&emulator, &page, "action=cancel").await;
    assert_eq!(cancelled.status, 302);
    let location = cancelled.header("location").unwrap().to_owned();
    assert!(location.starts_with(REDIRECT));
    assert_eq!(param(&location, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&location, "state").as_deref(), Some("xyz 123"));

    // Authorize as alice: a code and the state, unchanged.
    let authorized = click(&emulator, &page, &format!("user_id={}", world.alice)).await;
    assert_eq!(authorized.status, 302);
    let location = authorized.header("location").unwrap().to_owned();
    assert_eq!(param(&location, "state").as_deref(), Some("xyz 123"));
    let code = param(&location, "code").expect("a code");

    let wrong_uri = token(
        &emulator,
        &format!("grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2Fother"),
    )
    .await;
    assert_eq!(wrong_uri.status, 400);
    let authorized = click(&emulator, &page, &format!("user_id={}", world.alice)).await;
    let code = param(authorized.header("location").unwrap(), "code").unwrap();
    let exchange = format!(
        "grant_type=authorization_code&code={code}&redirect_uri=http%3A%2F%2Fpanel.test%2Fcallback"
    );
    let granted = token(&emulator, &exchange).await;
    assert_eq!(granted.status, 200);
    let granted = granted.json();
    assert_eq!(granted["token_type"], "Bearer");
    assert_eq!(granted["scope"], "identify guilds");
    assert!(granted["expires_in"].as_u64().unwrap() > 0);
    // A code is good once.
    let again = token(&emulator, &exchange).await;
    assert_eq!(again.status, 400);
    assert_eq!(again.json()["error"], "invalid_grant");
    // A wrong secret is refused.
    let bad_client = raw_request_typed(
        &emulator,
        "POST",
        "/api/v10/oauth2/token",
        None,
        Some(&format!(
            "grant_type=authorization_code&code=x&client_id={}&client_secret=nope",
            emulator.application_id()
        )),
        FORM,
    )
    .await;
    assert_eq!(bad_client.status, 401);

    let mut report = Report::default();
    let bearer = format!("Bearer {}", granted["access_token"].as_str().unwrap());
    let me = raw_request(&emulator, "GET", "/api/v10/users/@me", Some(&bearer), None).await;
    assert_eq!(me.status, 200);
    let me = me.json();
    assert_eq!(me["id"], world.alice.to_string());
    assert!(
        me.get("email").is_none(),
        "no email without the email scope"
    );
    report.check_named("GET /users/@me (bearer)", "UserPIIResponse", &me);
    let guilds = raw_request(
        &emulator,
        "GET",
        "/api/v10/users/@me/guilds",
        Some(&bearer),
        None,
    )
    .await;
    assert_eq!(guilds.status, 200);
    let guilds = guilds.json();
    let guilds = guilds.as_array().unwrap();
    assert_eq!(guilds.len(), 1);
    report.check_named(
        "GET /users/@me/guilds (bearer)",
        "MyGuildResponse",
        &guilds[0],
    );
    assert_eq!(guilds[0]["owner"], false);
    assert_eq!(
        guilds[0]["permissions"],
        emulator
            .guild_permissions(world.alice, world.guild)
            .bits()
            .to_string()
    );
    // The owner's permissions are all of them, and `owner` says so.
    assert!(
        emulator
            .guild_permissions(world.owner, world.guild)
            .contains(Permissions::ADMINISTRATOR)
    );
    // Other routes do not take a bearer token.
    let refused = raw_request(
        &emulator,
        "GET",
        &format!("/api/v10/guilds/{}", world.guild),
        Some(&bearer),
        None,
    )
    .await;
    assert_eq!(refused.status, 401);

    // Refreshing: a new pair; the old access token and refresh token stop working.
    let refresh = granted["refresh_token"].as_str().unwrap();
    let refreshed = token(
        &emulator,
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await;
    assert_eq!(refreshed.status, 200);
    let refreshed: Value = refreshed.json();
    let old = raw_request(&emulator, "GET", "/api/v10/users/@me", Some(&bearer), None).await;
    assert_eq!(old.status, 401);
    let new_bearer = format!("Bearer {}", refreshed["access_token"].as_str().unwrap());
    let me = raw_request(
        &emulator,
        "GET",
        "/api/v10/users/@me",
        Some(&new_bearer),
        None,
    )
    .await;
    assert_eq!(me.json()["id"], world.alice.to_string());
    let reused = token(
        &emulator,
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await;
    assert_eq!(reused.status, 400);
    report.assert_clean();
}

/// RFC 7636's worked example (appendix B): a verifier and its S256 challenge.
const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const EXCHANGE: &str =
    "grant_type=authorization_code&redirect_uri=http%3A%2F%2Fpanel.test%2Fcallback";

/// The consent page for an authorization request with `pkce` (`&code_challenge=...`) added.
async fn consent_page(emulator: &discord_emulator::Emulator, pkce: &str) -> RawResponse {
    let authorize = format!(
        "/oauth2/authorize?client_id={}&redirect_uri=http%3A%2F%2Fpanel.test%2Fcallback&response_type=code&scope=identify&state=s{pkce}",
        emulator.application_id()
    );
    raw_request(emulator, "GET", &authorize, None, None).await
}

/// A code for alice from an authorization request with `pkce` added.
async fn pkce_code(
    emulator: &discord_emulator::Emulator,
    world: &common::TestWorld,
    pkce: &str,
) -> String {
    let page = consent_page(emulator, pkce).await;
    assert_eq!(page.status, 200);
    let page = String::from_utf8(page.body).unwrap();
    let authorized = click(emulator, &page, &format!("user_id={}", world.alice)).await;
    assert_eq!(authorized.status, 302);
    param(authorized.header("location").unwrap(), "code").expect("a code")
}

#[tokio::test]
async fn pkce_s256_is_checked_at_the_exchange() {
    let emulator = common::start().await;
    let world = common::world(&emulator, common::bot_permissions());
    let s256 = format!("&code_challenge={RFC_CHALLENGE}&code_challenge_method=S256");

    // The consent form carries the challenge on.
    let page = consent_page(&emulator, &s256).await;
    let page = String::from_utf8(page.body).unwrap();
    assert!(page.contains(RFC_CHALLENGE), "{page}");

    // The right verifier: tokens that work.
    let code = pkce_code(&emulator, &world, &s256).await;
    let granted = token(
        &emulator,
        &format!("{EXCHANGE}&code={code}&code_verifier={RFC_VERIFIER}"),
    )
    .await;
    assert_eq!(granted.status, 200);
    let bearer = format!(
        "Bearer {}",
        granted.json()["access_token"].as_str().unwrap()
    );
    let me = raw_request(&emulator, "GET", "/api/v10/users/@me", Some(&bearer), None).await;
    assert_eq!(me.json()["id"], world.alice.to_string());

    // A wrong verifier: invalid_grant, and the code is spent.
    let code = pkce_code(&emulator, &world, &s256).await;
    let wrong = token(
        &emulator,
        &format!("{EXCHANGE}&code={code}&code_verifier={}", "a".repeat(43)),
    )
    .await;
    assert_eq!(wrong.status, 400);
    let wrong = wrong.json();
    assert_eq!(wrong["error"], "invalid_grant");
    assert!(
        wrong["error_description"]
            .as_str()
            .unwrap()
            .contains("code_verifier"),
        "{wrong}"
    );
    let retried = token(
        &emulator,
        &format!("{EXCHANGE}&code={code}&code_verifier={RFC_VERIFIER}"),
    )
    .await;
    assert_eq!(retried.status, 400);
    assert_eq!(retried.json()["error"], "invalid_grant");

    // The challenge itself is not the verifier (S256 hashes).
    let code = pkce_code(&emulator, &world, &s256).await;
    let challenge_as_verifier = token(
        &emulator,
        &format!("{EXCHANGE}&code={code}&code_verifier={RFC_CHALLENGE}"),
    )
    .await;
    assert_eq!(challenge_as_verifier.status, 400);

    // No verifier: invalid_grant.
    let code = pkce_code(&emulator, &world, &s256).await;
    let missing = token(&emulator, &format!("{EXCHANGE}&code={code}")).await;
    assert_eq!(missing.status, 400);
    let missing = missing.json();
    assert_eq!(missing["error"], "invalid_grant");
    assert!(
        missing["error_description"]
            .as_str()
            .unwrap()
            .contains("code_verifier"),
        "{missing}"
    );
}

#[tokio::test]
async fn pkce_plain_is_the_default_method() {
    let emulator = common::start().await;
    let world = common::world(&emulator, common::bot_permissions());
    let verifier = "plain-verifier_with.all~the-unreserved-characters";
    for pkce in [
        format!("&code_challenge={verifier}&code_challenge_method=plain"),
        format!("&code_challenge={verifier}"),
    ] {
        let code = pkce_code(&emulator, &world, &pkce).await;
        let granted = token(
            &emulator,
            &format!("{EXCHANGE}&code={code}&code_verifier={verifier}"),
        )
        .await;
        assert_eq!(granted.status, 200, "{pkce}");
        // plain compares, it does not hash: the S256 of the verifier is refused.
        let code = pkce_code(&emulator, &world, &pkce).await;
        let refused = token(
            &emulator,
            &format!("{EXCHANGE}&code={code}&code_verifier={RFC_VERIFIER}"),
        )
        .await;
        assert_eq!(refused.status, 400, "{pkce}");
        assert_eq!(refused.json()["error"], "invalid_grant");
    }
    // A code issued without a challenge ignores a verifier.
    let code = pkce_code(&emulator, &world, "").await;
    let granted = token(
        &emulator,
        &format!("{EXCHANGE}&code={code}&code_verifier={RFC_VERIFIER}"),
    )
    .await;
    assert_eq!(granted.status, 200);
}

#[tokio::test]
async fn pkce_requests_discord_would_refuse_get_the_error_page() {
    let emulator = common::start().await;
    for (pkce, message) in [
        (
            format!("&code_challenge={RFC_CHALLENGE}&code_challenge_method=S512"),
            "Unsupported code_challenge_method",
        ),
        (
            format!("&code_challenge={RFC_CHALLENGE}&code_challenge_method=s256"),
            "Unsupported code_challenge_method",
        ),
        // Standard base64 with padding, a common mistake.
        (
            "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw%2BcM%3D&code_challenge_method=S256"
                .to_owned(),
            "Invalid code_challenge",
        ),
        (
            "&code_challenge_method=S256".to_owned(),
            "without a code_challenge",
        ),
    ] {
        let page = consent_page(&emulator, &pkce).await;
        assert_eq!(page.status, 400, "{pkce}");
        let page = String::from_utf8(page.body).unwrap();
        assert!(page.contains(message), "{pkce}: {page}");
        assert!(!page.contains("Authorize as"), "{page}");
    }
}
