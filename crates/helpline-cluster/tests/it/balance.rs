//! The balancing plan converges: whatever the members and the holdings, members applying their
//! plans round after round end with every shard held exactly once and shares differing by at
//! most one, and nobody hands back a shard once that holds.

use helpline_cluster::balance::plan;
use proptest::prelude::*;

/// One round: every member plans on the same snapshot; hand-backs apply, then takes in member
/// order (an acquire of a shard someone took first fails, as it does on the coordinator).
fn round(members: &[String], holders: &mut [Option<String>]) -> bool {
    let plans: Vec<_> = members
        .iter()
        .map(|member| (member, plan(member, members, holders)))
        .collect();
    let mut changed = false;
    for (member, plan) in &plans {
        for &shard in &plan.hand_back {
            assert_eq!(holders[shard as usize].as_ref(), Some(*member));
            holders[shard as usize] = None;
            changed = true;
        }
    }
    for (member, plan) in &plans {
        for &shard in &plan.take {
            if holders[shard as usize].is_none() {
                holders[shard as usize] = Some((*member).clone());
                changed = true;
            }
        }
    }
    changed
}

proptest! {
    #[test]
    fn plans_converge_to_an_even_spread(
        shard_count in 1usize..40,
        member_count in 1usize..7,
        initial in proptest::collection::vec(0usize..9, 40),
    ) {
        let members: Vec<String> = (0..member_count).map(|i| format!("pod-{i}")).collect();
        // Start from any holdings, including shards of members that are gone (their leases
        // expire: after the first round they are free).
        let mut holders: Vec<Option<String>> = (0..shard_count)
            .map(|shard| match initial[shard] {
                i if i < member_count => Some(members[i].clone()),
                _ => None,
            })
            .collect();
        let mut rounds = 0;
        while round(&members, &mut holders) {
            rounds += 1;
            prop_assert!(rounds < 10, "no convergence: {holders:?}");
        }
        prop_assert!(holders.iter().all(Option::is_some), "{holders:?}");
        let counts: Vec<usize> = members
            .iter()
            .map(|member| holders.iter().filter(|h| h.as_ref() == Some(member)).count())
            .collect();
        let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        prop_assert!(max - min <= 1, "{counts:?}");
    }
}
