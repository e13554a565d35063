//! The limits in Redis, shared by every proxy replica: the algorithm of [`crate::limits`], one
//! Lua script per step, on Redis's clock. Keys (under the prefix): `g:{bot}` the global log (a
//! sorted set of admission times), `gb:{bot}` a global block, `m:{bot}:{route}` the bucket
//! Discord named for a route, `b:{bot}:{bucket}:{major}` a bucket's state (a hash), `inv:{egress}:
//! {minute}` and `f:{bot}:{route}:{minute}` invalid and forbidden counts, `rv:{bot}` a revoked
//! token. Bots are named by a hash of their token, never the token.

use crate::limits::{INVALID_WINDOW, Learned, Limits, LimitsError, PROBE, PROBE_POLL, Permit};
use fred::prelude::{ClientLike, Config, ReconnectPolicy};
use fred::types::scripts::Script;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Limits shared through Redis.
#[derive(Clone)]
pub struct RedisLimits {
    client: fred::clients::Client,
    prefix: String,
    scripts: Arc<Scripts>,
    /// With `replica`, makes every admission in the global log unique.
    admissions: Arc<AtomicU64>,
    replica: u64,
}

impl std::fmt::Debug for RedisLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLimits")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

struct Scripts {
    take_global: Script,
    take_bucket: Script,
    learn: Script,
    count: Script,
    sum: Script,
}

const NOW: &str =
    "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)\n";

fn scripts() -> Scripts {
    let lua = |body: &str| Script::from_lua(format!("{NOW}{body}"));
    Scripts {
        // KEYS: log, block. ARGV: limit, member. Returns the wait in ms (0: go).
        take_global: lua("local blocked = redis.call('PTTL', KEYS[2]) \
             if blocked > 0 then return blocked end \
             redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1000) \
             if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then \
               redis.call('ZADD', KEYS[1], now, ARGV[2]) \
               redis.call('PEXPIRE', KEYS[1], 2000) return 0 end \
             local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES') \
             return math.max(1, tonumber(oldest[2]) + 1000 - now)"),
        // KEYS: route map. ARGV: state key prefix, route, major, probe ms, probe poll ms.
        take_bucket: lua("local bucket = redis.call('GET', KEYS[1]) or ARGV[2] \
             local key = ARGV[1] .. bucket .. ':' .. ARGV[3] \
             local probe = tonumber(ARGV[4]) \
             local s = redis.call('HMGET', key, 'kind', 'remaining', 'reset_at', 'limit') \
             local kind, remaining, reset_at, limit = s[1], tonumber(s[2]), tonumber(s[3]), tonumber(s[4]) \
             if (not kind) or now >= reset_at then \
               redis.call('HSET', key, 'kind', 'new', 'remaining', 0, 'reset_at', now + probe, 'limit', limit or 0) \
               redis.call('PEXPIRE', key, probe + 60000) return 0 end \
             if remaining > 0 then redis.call('HINCRBY', key, 'remaining', -1) return 0 end \
             if kind == 'new' then return math.max(1, math.min(tonumber(ARGV[5]), reset_at - now)) end \
             return math.max(1, reset_at - now)"),
        // KEYS: route map. ARGV: state key prefix, route, major, has headers (0/1), bucket,
        // limit, remaining, reset after ms.
        learn: lua("if ARGV[4] == '0' then \
               local key = ARGV[1] .. (redis.call('GET', KEYS[1]) or ARGV[2]) .. ':' .. ARGV[3] \
               if redis.call('HGET', key, 'kind') == 'new' then redis.call('DEL', key) end \
               return 0 end \
             redis.call('SET', KEYS[1], ARGV[5], 'EX', 86400) \
             local key = ARGV[1] .. ARGV[5] .. ':' .. ARGV[3] \
             local limit, remaining = tonumber(ARGV[6]), tonumber(ARGV[7]) \
             local reset_at = now + tonumber(ARGV[8]) \
             local s = redis.call('HMGET', key, 'kind', 'remaining', 'reset_at') \
             local kind, old_remaining, old_reset = s[1], tonumber(s[2]), tonumber(s[3]) \
             if kind == 'known' and reset_at <= old_reset + 100 then \
               remaining = math.min(old_remaining, remaining) reset_at = old_reset end \
             redis.call('HSET', key, 'kind', 'known', 'remaining', remaining, 'reset_at', reset_at, 'limit', limit) \
             redis.call('PEXPIRE', key, tonumber(ARGV[8]) + 60000) return 1"),
        // KEYS: the current minute's counter. ARGV: ttl ms. Returns nothing useful.
        count: Script::from_lua(
            "local n = redis.call('INCR', KEYS[1]) redis.call('PEXPIRE', KEYS[1], ARGV[1]) return n",
        ),
        // KEYS: the window's minute counters. Returns their sum.
        sum: Script::from_lua(
            "local total = 0 for _, key in ipairs(KEYS) do \
               total = total + tonumber(redis.call('GET', key) or '0') end return total",
        ),
    }
}

fn error(error: fred::error::Error) -> LimitsError {
    LimitsError(error.to_string())
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl RedisLimits {
    /// Connects to `url`, every key under `prefix`.
    pub async fn connect(url: &str, prefix: &str, timeout: Duration) -> Result<Self, LimitsError> {
        let config = Config::from_url(url).map_err(error)?;
        let client = fred::types::Builder::from_config(config)
            .with_performance_config(|performance| performance.default_command_timeout = timeout)
            .with_connection_config(|connection| {
                connection.connection_timeout = timeout;
                connection.internal_command_timeout = timeout;
                connection.max_command_attempts = 1;
            })
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2))
            .build()
            .map_err(error)?;
        client.init().await.map_err(error)?;
        let scripts = scripts();
        // Loaded up front: the first requests of a burst would all meet NOSCRIPT at once.
        for script in [
            &scripts.take_global,
            &scripts.take_bucket,
            &scripts.learn,
            &scripts.count,
            &scripts.sum,
        ] {
            script.load(&client).await.map_err(error)?;
        }
        // Unique per replica (process ids repeat across containers: often all 1), so two
        // replicas' admissions never collide in the global log.
        let replica = {
            use std::hash::{BuildHasher as _, Hasher as _};
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_nanos(),
            );
            hasher.finish()
        };
        Ok(Self {
            client,
            prefix: prefix.to_owned(),
            scripts: Arc::new(scripts),
            admissions: Arc::new(AtomicU64::new(0)),
            replica,
        })
    }

    async fn run<R: fred::types::FromValue>(
        &self,
        script: &Script,
        keys: Vec<String>,
        args: Vec<fred::types::Value>,
    ) -> Result<R, LimitsError> {
        script
            .evalsha_with_reload(&self.client, keys, args)
            .await
            .map_err(error)
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// The minute counters covering the last ten minutes, newest first, for `base`.
    fn minutes(&self, base: &str) -> Vec<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
            / 60;
        let count = INVALID_WINDOW.as_secs() / 60;
        (0..count)
            .map(|back| self.key(&format!("{base}:{}", now - back)))
            .collect()
    }

    async fn count(&self, base: &str) -> Result<u64, LimitsError> {
        let minutes = self.minutes(base);
        let _: i64 = self
            .run(
                &self.scripts.count,
                vec![minutes[0].clone()],
                vec![millis(INVALID_WINDOW + Duration::from_secs(60)).into()],
            )
            .await?;
        self.sum(base).await
    }

    async fn sum(&self, base: &str) -> Result<u64, LimitsError> {
        let total: i64 = self
            .run(&self.scripts.sum, self.minutes(base), Vec::new())
            .await?;
        Ok(u64::try_from(total).unwrap_or(0))
    }
}

fn permit(wait: i64) -> Permit {
    match u64::try_from(wait) {
        Ok(0) | Err(_) => Permit::Go,
        Ok(wait) => Permit::Wait(Duration::from_millis(wait)),
    }
}

#[async_trait::async_trait]
impl Limits for RedisLimits {
    async fn take_global(&self, bot: &str, limit: u32) -> Result<Permit, LimitsError> {
        let member = format!(
            "{}:{}",
            self.replica,
            self.admissions.fetch_add(1, Ordering::Relaxed)
        );
        let wait: i64 = self
            .run(
                &self.scripts.take_global,
                vec![
                    self.key(&format!("g:{bot}")),
                    self.key(&format!("gb:{bot}")),
                ],
                vec![i64::from(limit).into(), member.into()],
            )
            .await?;
        Ok(permit(wait))
    }

    async fn take_bucket(
        &self,
        bot: &str,
        route: &str,
        major: &str,
    ) -> Result<Permit, LimitsError> {
        let wait: i64 = self
            .run(
                &self.scripts.take_bucket,
                vec![self.key(&format!("m:{bot}:{route}"))],
                vec![
                    self.key(&format!("b:{bot}:")).into(),
                    route.into(),
                    major.into(),
                    millis(PROBE).into(),
                    millis(PROBE_POLL).into(),
                ],
            )
            .await?;
        Ok(permit(wait))
    }

    async fn learn(
        &self,
        bot: &str,
        route: &str,
        major: &str,
        learned: Option<&Learned>,
    ) -> Result<(), LimitsError> {
        let mut args: Vec<fred::types::Value> = vec![
            self.key(&format!("b:{bot}:")).into(),
            route.into(),
            major.into(),
        ];
        match learned {
            None => args.push("0".into()),
            Some(learned) => args.extend([
                "1".into(),
                learned.bucket.clone().into(),
                i64::from(learned.limit).into(),
                i64::from(learned.remaining).into(),
                millis(learned.reset_after).into(),
            ]),
        }
        let _: i64 = self
            .run(
                &self.scripts.learn,
                vec![self.key(&format!("m:{bot}:{route}"))],
                args,
            )
            .await?;
        Ok(())
    }

    async fn block_global(&self, bot: &str, retry_after: Duration) -> Result<(), LimitsError> {
        use fred::interfaces::KeysInterface as _;
        let _: () = self
            .client
            .set(
                self.key(&format!("gb:{bot}")),
                1,
                Some(fred::types::Expiration::PX(millis(retry_after).max(1))),
                None,
                false,
            )
            .await
            .map_err(error)?;
        Ok(())
    }

    async fn count_invalid(&self, egress: &str) -> Result<u64, LimitsError> {
        self.count(&format!("inv:{egress}")).await
    }

    async fn invalid(&self, egress: &str) -> Result<u64, LimitsError> {
        self.sum(&format!("inv:{egress}")).await
    }

    async fn count_forbidden(&self, bot: &str, route: &str) -> Result<u64, LimitsError> {
        self.count(&format!("f:{bot}:{route}")).await
    }

    async fn revoke(&self, bot: &str, for_how_long: Duration) -> Result<(), LimitsError> {
        use fred::interfaces::KeysInterface as _;
        let _: () = self
            .client
            .set(
                self.key(&format!("rv:{bot}")),
                1,
                Some(fred::types::Expiration::PX(millis(for_how_long).max(1))),
                None,
                false,
            )
            .await
            .map_err(error)?;
        Ok(())
    }

    async fn revoked(&self, bot: &str) -> Result<bool, LimitsError> {
        use fred::interfaces::KeysInterface as _;
        let value: Option<i64> = self
            .client
            .get(self.key(&format!("rv:{bot}")))
            .await
            .map_err(error)?;
        Ok(value.is_some())
    }
}
