//! How a process decides which shard leases to take and which to hand back, from what every
//! process can read: the members alive and who holds each shard.
//!
//! Shares are exact and deterministic: with `n` shards and `m` members sorted by name, the
//! first `n % m` members get `n / m + 1` and the others `n / m`, so the shares add up to `n`
//! and every member computes the same ones. A member takes free shards up to its share, and
//! hands back shards above its share only as many as the members below theirs can take once the
//! free shards are gone, so nobody hands back a shard nobody will pick up.

/// What one process should do this round.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Free shards to try to acquire (another process may win some).
    pub take: Vec<u32>,
    /// Held shards to hand over gracefully.
    pub hand_back: Vec<u32>,
}

/// The plan of `me` given the live `members` (sorted or not; `me` counts even if missing) and
/// the holder of each shard (`holders[shard]`).
pub fn plan(me: &str, members: &[String], holders: &[Option<String>]) -> Plan {
    let mut members: Vec<&str> = members.iter().map(String::as_str).collect();
    if !members.contains(&me) {
        members.push(me);
    }
    members.sort_unstable();
    members.dedup();
    let n = holders.len();
    let m = members.len();
    let share = |index: usize| n / m + usize::from(index < n % m);
    let held_by = |member: &str| {
        holders
            .iter()
            .filter(|holder| holder.as_deref() == Some(member))
            .count()
    };
    let my_index = members.iter().position(|member| *member == me).unwrap_or(0);
    let my_share = share(my_index);
    let mine: Vec<u32> = (0..n)
        .filter(|&shard| holders[shard].as_deref() == Some(me))
        .map(|shard| u32::try_from(shard).unwrap_or(u32::MAX))
        .collect();
    let free: Vec<u32> = (0..n)
        .filter(|&shard| holders[shard].is_none())
        .map(|shard| u32::try_from(shard).unwrap_or(u32::MAX))
        .collect();
    let mut result = Plan::default();
    if mine.len() < my_share {
        // Start at a different place per member so that members joining together do not all
        // race for the same free shard.
        let start = if free.is_empty() {
            0
        } else {
            my_index * free.len() / m
        };
        result.take = free
            .iter()
            .cycle()
            .skip(start)
            .take(free.len().min(my_share - mine.len()))
            .copied()
            .collect();
    } else if mine.len() > my_share {
        let wanting: usize = members
            .iter()
            .enumerate()
            .filter(|(_, member)| **member != me)
            .map(|(index, member)| share(index).saturating_sub(held_by(member)))
            .sum();
        let give = (mine.len() - my_share).min(wanting.saturating_sub(free.len()));
        result.hand_back = mine.iter().rev().take(give).copied().collect();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holders(of: &[Option<&str>]) -> Vec<Option<String>> {
        of.iter().map(|holder| holder.map(str::to_owned)).collect()
    }

    #[test]
    fn a_lone_member_takes_everything() {
        let plan = plan("a", &[], &holders(&[None, None, None]));
        assert_eq!(plan.take, vec![0, 1, 2]);
        assert!(plan.hand_back.is_empty());
    }

    #[test]
    fn a_full_member_hands_back_only_what_a_newcomer_can_take() {
        let members = vec!["a".to_owned(), "b".to_owned()];
        let all_a = holders(&[Some("a"); 4]);
        assert_eq!(plan("a", &members, &all_a).hand_back, vec![3, 2]);
        assert_eq!(plan("b", &members, &all_a), Plan::default());
        // A free shard counts toward what b can take: a hands back only the rest.
        let some_free = holders(&[Some("a"), Some("a"), Some("a"), None]);
        assert_eq!(plan("a", &members, &some_free).hand_back, vec![2]);
        assert_eq!(plan("b", &members, &some_free).take, vec![3]);
        let half_free = holders(&[Some("a"), Some("a"), None, None]);
        assert!(plan("a", &members, &half_free).hand_back.is_empty());
    }

    #[test]
    fn a_dead_holder_keeps_its_shards_until_its_lease_ends() {
        let members = vec!["a".to_owned()];
        let plan = plan("a", &members, &holders(&[Some("a"), Some("gone")]));
        assert_eq!(plan, Plan::default());
    }
}
