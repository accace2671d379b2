//! setTimeout / setInterval bookkeeping: a min-heap of deadlines with lazy deletion (a cleared
//! timer stays in the heap until it surfaces, then is skipped).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

pub(crate) struct Timer {
    /// A `Timeout` object holding the callback as `_onTimeout` (and `_repeat`: the interval,
    /// or null), shaped like Node's: heap snapshots then show a leaked timer as `Timeout ->
    /// _onTimeout -> callback`, which core's holder report reads as `setInterval callback ...`.
    pub timeout: v8::Global<v8::Object>,
    pub args: Vec<v8::Global<v8::Value>>,
    pub interval: Option<Duration>,
}

#[derive(Default)]
pub(crate) struct Timers {
    next_id: u32,
    /// (deadline, insertion order, id): equal deadlines fire in creation order.
    queue: BinaryHeap<Reverse<(Instant, u64, u32)>>,
    order: u64,
    live: HashMap<u32, Timer>,
}

impl Timers {
    pub fn add(&mut self, delay: Duration, timer: Timer) -> u32 {
        self.next_id = self.next_id.wrapping_add(1).max(1);
        let id = self.next_id;
        self.schedule(id, Instant::now() + delay);
        self.live.insert(id, timer);
        id
    }

    fn schedule(&mut self, id: u32, at: Instant) {
        self.order += 1;
        self.queue.push(Reverse((at, self.order, id)));
    }

    pub fn clear(&mut self, id: u32) {
        self.live.remove(&id);
    }

    /// The earliest deadline of a live timer (drops cleared entries on the way).
    pub fn next_deadline(&mut self) -> Option<Instant> {
        while let Some(Reverse((at, _, id))) = self.queue.peek().copied() {
            if self.live.contains_key(&id) {
                return Some(at);
            }
            self.queue.pop();
        }
        None
    }

    /// Takes the next due timer. Intervals are rescheduled before their callback runs (so the
    /// callback may clear them); timeouts are removed.
    pub fn pop_due(&mut self, now: Instant) -> Option<(u32, v8::Global<v8::Object>, Vec<v8::Global<v8::Value>>)> {
        let at = self.next_deadline()?;
        if at > now {
            return None;
        }
        let Reverse((_, _, id)) = self.queue.pop()?;
        let t = self.live.get(&id)?;
        match t.interval {
            Some(iv) => {
                let (cb, args) = (t.timeout.clone(), t.args.clone());
                self.schedule(id, now + iv);
                Some((id, cb, args))
            }
            None => {
                let t = self.live.remove(&id)?;
                Some((id, t.timeout, t.args))
            }
        }
    }
}
