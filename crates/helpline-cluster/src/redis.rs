//! The contract in Redis. Every operation is one Lua script, so it is one atomic step on the
//! server, and every time is Redis's own (`TIME`), so the processes' clocks never meet.
//!
//! Keys, under the prefix given at connection (the application's id, so two bots can share a
//! server): `lease:{shard}` = `holder\ntoken` with the lease's TTL; `fence:{shard}` = the last
//! token granted; `session:{shard}` = `id\nsequence\nresume url`; `members` = a sorted set of
//! member names scored by when their heartbeat ends; `identify:{bucket}` = the next free
//! identify slot (ms); `budget` = identifies left, expiring when Discord refills it.
//!
//! Safe deployments: a single Redis primary (with or without persistence; a restart that loses
//! data also loses the fence counters, which is why the bot's store keeps the highest token it
//! accepted and refuses lower ones). Asynchronous failover (Sentinel, a replica promoted) can
//! lose the last grants and hand one lease to two processes: fencing still stops the older one
//! at the store, but not on Discord.

use crate::{Budget, Coordinator, Error, Grant, Result, SavedSession, Spend};
use fred::prelude::{ClientLike, Config, ReconnectPolicy};
use fred::types::scripts::Script;
use std::time::Duration;

/// Coordination shared through one Redis server.
#[derive(Clone)]
pub struct RedisCoordinator {
    client: fred::clients::Client,
    prefix: String,
    scripts: std::sync::Arc<Scripts>,
}

impl std::fmt::Debug for RedisCoordinator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisCoordinator")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

struct Scripts {
    acquire: Script,
    renew: Script,
    release: Script,
    holders: Script,
    raise_token: Script,
    heartbeat: Script,
    members: Script,
    save_session: Script,
    clear_session: Script,
    identify_slot: Script,
    observe_budget: Script,
    spend_identify: Script,
}

/// `now` in milliseconds from Redis's clock, as the first lines of every script that needs it.
const NOW: &str =
    "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)\n";

fn scripts() -> Scripts {
    let with_now = |body: &str| Script::from_lua(format!("{NOW}{body}"));
    Scripts {
        // KEYS: lease, fence. ARGV: holder, ttl ms.
        acquire: Script::from_lua(
            "local held = redis.call('GET', KEYS[1]) \
             if held and string.match(held, '^(.*)\\n') ~= ARGV[1] then return false end \
             local token = redis.call('INCR', KEYS[2]) \
             redis.call('SET', KEYS[1], ARGV[1] .. '\\n' .. token, 'PX', ARGV[2]) \
             return token",
        ),
        // KEYS: lease. ARGV: holder\ntoken, ttl ms.
        renew: Script::from_lua(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then \
               redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end return 0",
        ),
        // KEYS: lease. ARGV: holder\ntoken.
        release: Script::from_lua(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then \
               redis.call('DEL', KEYS[1]) return 1 end return 0",
        ),
        // KEYS: every lease. Returns each holder or ''.
        holders: Script::from_lua(
            "local out = {} for i, key in ipairs(KEYS) do \
               local v = redis.call('GET', key) \
               if v then out[i] = string.match(v, '^(.*)\\n') else out[i] = '' end end \
             return out",
        ),
        // KEYS: fence. ARGV: floor.
        raise_token: Script::from_lua(
            "local token = tonumber(redis.call('GET', KEYS[1]) or '0') \
             if token < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end return 1",
        ),
        // KEYS: members. ARGV: member, ttl ms.
        heartbeat: with_now(
            "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) return 1",
        ),
        // KEYS: members.
        members: with_now(
            "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) \
             return redis.call('ZRANGE', KEYS[1], 0, -1)",
        ),
        // KEYS: fence, session. ARGV: token, session, ttl ms.
        save_session: Script::from_lua(
            "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end \
             redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) return 1",
        ),
        // KEYS: fence, session. ARGV: token.
        clear_session: Script::from_lua(
            "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end \
             redis.call('DEL', KEYS[2]) return 1",
        ),
        // KEYS: identify bucket. ARGV: interval ms. Returns the wait in ms.
        identify_slot: with_now(
            "local slot = tonumber(redis.call('GET', KEYS[1]) or now) \
             if slot < now then slot = now end \
             local interval = tonumber(ARGV[1]) \
             redis.call('SET', KEYS[1], slot + interval, 'PX', slot + interval - now + 60000) \
             return slot - now",
        ),
        // KEYS: budget. ARGV: remaining, resets in ms.
        observe_budget: Script::from_lua(
            "local stored = redis.call('GET', KEYS[1]) \
             if stored and tonumber(stored) <= tonumber(ARGV[1]) then return 0 end \
             if tonumber(ARGV[2]) <= 0 then return 0 end \
             redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1",
        ),
        // KEYS: budget. ARGV: reserve. Returns {state, value}: 0 spent (remaining), 1
        // exhausted (ms to reset), 2 unknown.
        spend_identify: Script::from_lua(
            "local stored = redis.call('GET', KEYS[1]) \
             if not stored then return {2, 0} end \
             if tonumber(stored) <= tonumber(ARGV[1]) then \
               return {1, redis.call('PTTL', KEYS[1])} end \
             return {0, redis.call('DECR', KEYS[1])}",
        ),
    }
}

/// How long a stored session is kept: long past any chance of resuming it.
const SESSION_TTL: Duration = Duration::from_secs(24 * 60 * 60);

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis())
        .unwrap_or(i64::MAX)
        .max(1)
}

fn redis_error(error: fred::error::Error) -> Error {
    Error::Redis(error.to_string())
}

impl RedisCoordinator {
    /// Connects to `url` (`redis://host:port/db`), with every key under `prefix`. Commands
    /// time out after `command_timeout`; the connection is re-established in the background.
    pub async fn connect(url: &str, prefix: &str, command_timeout: Duration) -> Result<Self> {
        let config = Config::from_url(url).map_err(|error| Error::Url(error.to_string()))?;
        let client = fred::types::Builder::from_config(config)
            .with_performance_config(|performance| {
                performance.default_command_timeout = command_timeout;
            })
            .with_connection_config(|connection| {
                connection.connection_timeout = command_timeout;
                connection.internal_command_timeout = command_timeout;
                connection.max_command_attempts = 1;
            })
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 2_000, 2))
            .build()
            .map_err(redis_error)?;
        // The first connection must work: a wrong URL is the operator's to fix now.
        client.init().await.map_err(redis_error)?;
        let scripts = scripts();
        // Loaded up front, so that no first call of a burst meets NOSCRIPT.
        for script in [
            &scripts.acquire,
            &scripts.renew,
            &scripts.release,
            &scripts.holders,
            &scripts.raise_token,
            &scripts.heartbeat,
            &scripts.members,
            &scripts.save_session,
            &scripts.clear_session,
            &scripts.identify_slot,
            &scripts.observe_budget,
            &scripts.spend_identify,
        ] {
            script.load(&client).await.map_err(redis_error)?;
        }
        Ok(Self {
            client,
            prefix: prefix.to_owned(),
            scripts: std::sync::Arc::new(scripts),
        })
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    async fn run<R: fred::types::FromValue>(
        &self,
        script: &Script,
        keys: Vec<String>,
        args: Vec<fred::types::Value>,
    ) -> Result<R> {
        script
            .evalsha_with_reload(&self.client, keys, args)
            .await
            .map_err(redis_error)
    }
}

fn lease_value(holder: &str, token: u64) -> String {
    format!("{holder}\n{token}")
}

fn token_value(token: u64) -> fred::types::Value {
    token.to_string().into()
}

#[async_trait::async_trait]
impl Coordinator for RedisCoordinator {
    async fn acquire(&self, shard: u32, holder: &str, ttl: Duration) -> Result<Option<Grant>> {
        let token: Option<i64> = self
            .run(
                &self.scripts.acquire,
                vec![
                    self.key(&format!("lease:{shard}")),
                    self.key(&format!("fence:{shard}")),
                ],
                vec![holder.into(), millis(ttl).into()],
            )
            .await?;
        token
            .map(|token| {
                u64::try_from(token)
                    .map(|token| Grant { shard, token })
                    .map_err(|_| Error::Unexpected(format!("token {token}")))
            })
            .transpose()
    }

    async fn renew(&self, grant: Grant, holder: &str, ttl: Duration) -> Result<bool> {
        let renewed: i64 = self
            .run(
                &self.scripts.renew,
                vec![self.key(&format!("lease:{}", grant.shard))],
                vec![lease_value(holder, grant.token).into(), millis(ttl).into()],
            )
            .await?;
        Ok(renewed == 1)
    }

    async fn release(&self, grant: Grant, holder: &str) -> Result<bool> {
        let released: i64 = self
            .run(
                &self.scripts.release,
                vec![self.key(&format!("lease:{}", grant.shard))],
                vec![lease_value(holder, grant.token).into()],
            )
            .await?;
        Ok(released == 1)
    }

    async fn holders(&self, shard_count: u32) -> Result<Vec<Option<String>>> {
        if shard_count == 0 {
            return Ok(Vec::new());
        }
        let keys = (0..shard_count)
            .map(|shard| self.key(&format!("lease:{shard}")))
            .collect();
        let holders: Vec<String> = self.run(&self.scripts.holders, keys, Vec::new()).await?;
        Ok(holders
            .into_iter()
            .map(|holder| (!holder.is_empty()).then_some(holder))
            .collect())
    }

    async fn current_token(&self, shard: u32) -> Result<u64> {
        use fred::interfaces::KeysInterface as _;
        let token: Option<u64> = self
            .client
            .get(self.key(&format!("fence:{shard}")))
            .await
            .map_err(redis_error)?;
        Ok(token.unwrap_or(0))
    }

    async fn raise_token(&self, shard: u32, floor: u64) -> Result<()> {
        let _: i64 = self
            .run(
                &self.scripts.raise_token,
                vec![self.key(&format!("fence:{shard}"))],
                vec![token_value(floor)],
            )
            .await?;
        Ok(())
    }

    async fn heartbeat(&self, member: &str, ttl: Duration) -> Result<()> {
        let _: i64 = self
            .run(
                &self.scripts.heartbeat,
                vec![self.key("members")],
                vec![member.into(), millis(ttl).into()],
            )
            .await?;
        Ok(())
    }

    async fn leave(&self, member: &str) -> Result<()> {
        use fred::interfaces::SortedSetsInterface as _;
        let _: i64 = self
            .client
            .zrem(self.key("members"), member)
            .await
            .map_err(redis_error)?;
        Ok(())
    }

    async fn members(&self) -> Result<Vec<String>> {
        let mut members: Vec<String> = self
            .run(&self.scripts.members, vec![self.key("members")], Vec::new())
            .await?;
        members.sort();
        Ok(members)
    }

    async fn save_session(&self, grant: Grant, session: &SavedSession) -> Result<bool> {
        let value = format!(
            "{}\n{}\n{}",
            session.id,
            session.sequence,
            session.resume_url.as_deref().unwrap_or("")
        );
        let saved: i64 = self
            .run(
                &self.scripts.save_session,
                vec![
                    self.key(&format!("fence:{}", grant.shard)),
                    self.key(&format!("session:{}", grant.shard)),
                ],
                vec![
                    token_value(grant.token),
                    value.into(),
                    millis(SESSION_TTL).into(),
                ],
            )
            .await?;
        Ok(saved == 1)
    }

    async fn session(&self, shard: u32) -> Result<Option<SavedSession>> {
        use fred::interfaces::KeysInterface as _;
        let value: Option<String> = self
            .client
            .get(self.key(&format!("session:{shard}")))
            .await
            .map_err(redis_error)?;
        let Some(value) = value else {
            return Ok(None);
        };
        let mut parts = value.splitn(3, '\n');
        let (Some(id), Some(sequence), url) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Error::Unexpected(format!("session of shard {shard}")));
        };
        let sequence = sequence
            .parse()
            .map_err(|_| Error::Unexpected(format!("sequence of shard {shard}")))?;
        Ok(Some(SavedSession {
            id: id.to_owned(),
            sequence,
            resume_url: url.filter(|url| !url.is_empty()).map(str::to_owned),
        }))
    }

    async fn clear_session(&self, grant: Grant) -> Result<bool> {
        let cleared: i64 = self
            .run(
                &self.scripts.clear_session,
                vec![
                    self.key(&format!("fence:{}", grant.shard)),
                    self.key(&format!("session:{}", grant.shard)),
                ],
                vec![token_value(grant.token)],
            )
            .await?;
        Ok(cleared == 1)
    }

    async fn identify_slot(&self, bucket: u32, interval: Duration) -> Result<Duration> {
        let wait: i64 = self
            .run(
                &self.scripts.identify_slot,
                vec![self.key(&format!("identify:{bucket}"))],
                vec![millis(interval).into()],
            )
            .await?;
        Ok(Duration::from_millis(u64::try_from(wait).unwrap_or(0)))
    }

    async fn observe_budget(&self, remaining: u32, resets_in: Duration) -> Result<()> {
        let _: i64 = self
            .run(
                &self.scripts.observe_budget,
                vec![self.key("budget")],
                vec![i64::from(remaining).into(), millis(resets_in).into()],
            )
            .await?;
        Ok(())
    }

    async fn spend_identify(&self, reserve: u32) -> Result<Spend> {
        let (state, value): (i64, i64) = self
            .run(
                &self.scripts.spend_identify,
                vec![self.key("budget")],
                vec![i64::from(reserve).into()],
            )
            .await?;
        let value = u64::try_from(value).unwrap_or(0);
        Ok(match state {
            0 => Spend::Spent {
                remaining: u32::try_from(value).unwrap_or(u32::MAX),
            },
            1 => Spend::Exhausted {
                resets_in: Duration::from_millis(value),
            },
            _ => Spend::Unknown,
        })
    }

    async fn budget(&self) -> Result<Option<Budget>> {
        use fred::interfaces::KeysInterface as _;
        let key = self.key("budget");
        let remaining: Option<u32> = self.client.get(&key).await.map_err(redis_error)?;
        let Some(remaining) = remaining else {
            return Ok(None);
        };
        let ttl: i64 = self.client.pttl(&key).await.map_err(redis_error)?;
        Ok(Some(Budget {
            remaining,
            resets_in: Duration::from_millis(u64::try_from(ttl).unwrap_or(0)),
        }))
    }
}
