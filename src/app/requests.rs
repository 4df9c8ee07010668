//! Requests in flight: one per slot, each with the sequence number its answer must carry,
//! so an answer to a request replaced or cancelled since is dropped.

use std::collections::HashMap;

use super::Slot;

#[derive(Debug, Default)]
pub struct Requests {
    /// The slots with a request running, and the number its answer must carry.
    pub pending: HashMap<Slot, u64>,
    seq: u64,
    /// Tells this process's CallerReferences from another's started in the same
    /// millisecond (`"{pid}-"`; empty in tests).
    pub instance: String,
}

impl Requests {
    /// A number never handed out before in this run.
    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A request starts in `slot`, replacing any running there: returns its number.
    pub fn start(&mut self, slot: Slot) -> u64 {
        let seq = self.next_seq();
        self.pending.insert(slot, seq);
        seq
    }

    /// An answer arrived: true (and the slot is free again) if it is the one awaited.
    pub fn answered(&mut self, slot: &Slot, seq: u64) -> bool {
        if self.pending.get(slot) != Some(&seq) {
            return false;
        }
        self.pending.remove(slot);
        true
    }

    /// Forgets the request in `slot`: true if one was running (the runtime aborts it).
    pub fn cancel(&mut self, slot: &Slot) -> bool {
        self.pending.remove(slot).is_some()
    }

    pub fn is_running(&self, slot: &Slot) -> bool {
        self.pending.contains_key(slot)
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// The requests the header counts and the spinner turns for: all but the background
    /// fetch of details, which runs for hours on a large account and is said elsewhere.
    pub fn shown(&self) -> usize {
        self.pending
            .keys()
            .filter(|s| !matches!(s, Slot::Backfill(_)))
            .count()
    }
}
