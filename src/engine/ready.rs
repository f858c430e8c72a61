//! The ready queue (`BaseEventLoop._ready`, a `deque`): callbacks leave
//! from the front, in the order they joined at the back.
//!
//! A `VecDeque` does this, but every push, pop and look ahead pays for
//! wrapping around its ring, and the loop does all three for every
//! callback. Here the queue is one run of a `Vec`, read from a cursor: a
//! pop is a read and an increment, a push is a `Vec::push`, and the
//! callbacks still to run are always one slice. The slots already read
//! are reclaimed once they are at least as many as those still queued, so
//! each callback is moved at most once more on average, and the `Vec`
//! holds at most twice the longest queue.

use super::core::Ready;

#[derive(Default)]
pub struct ReadyQueue {
    slots: Vec<Ready>,
    /// Where the queue begins in `slots`: those before it have been run.
    head: usize,
}

impl ReadyQueue {
    #[inline]
    pub fn push_back(&mut self, ready: Ready) {
        self.slots.push(ready);
    }

    #[inline]
    pub fn pop_front(&mut self) -> Option<Ready> {
        let ready = *self.slots.get(self.head)?;
        self.head += 1;
        let queued = self.slots.len() - self.head;
        if self.head >= queued {
            self.slots.copy_within(self.head.., 0);
            self.slots.truncate(queued);
            self.head = 0;
        }
        Some(ready)
    }

    pub fn len(&self) -> usize {
        self.slots.len() - self.head
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The callbacks queued, front first.
    pub fn as_slice(&self) -> &[Ready] {
        &self.slots[self.head..]
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Ready> {
        self.as_slice().iter()
    }

    pub fn clear(&mut self) {
        self.slots.clear();
        self.head = 0;
    }

    pub fn reserve(&mut self, additional: usize) {
        self.slots.reserve(additional);
    }

    pub fn capacity(&self) -> usize {
        self.slots.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::core::{Callback, ReadyFrom};
    use crate::engine::ids::TaskId;

    fn ready(n: u32) -> Ready {
        Ready {
            callback: Callback::Step(TaskId(n)),
            from: ReadyFrom::CallSoon,
        }
    }

    fn task(r: &Ready) -> u32 {
        match r.callback {
            Callback::Step(t) => t.0,
            _ => unreachable!("only steps are queued here"),
        }
    }

    #[test]
    fn callbacks_leave_in_the_order_they_joined_while_others_join_behind() {
        let mut queue = ReadyQueue::default();
        let mut model = std::collections::VecDeque::new();
        let mut next = 0;
        // Pushes and pops interleaved in uneven runs, so the reclaiming of
        // read slots happens at many different queue lengths.
        for round in 0..200u32 {
            for _ in 0..(round * 7) % 13 {
                queue.push_back(ready(next));
                model.push_back(next);
                next += 1;
            }
            for _ in 0..(round * 5) % 11 {
                assert_eq!(queue.pop_front().as_ref().map(task), model.pop_front());
            }
            assert_eq!(queue.len(), model.len());
            assert_eq!(queue.as_slice().get(2).map(task), model.get(2).copied());
            let queued: Vec<u32> = queue.iter().map(task).collect();
            assert_eq!(queued, model.iter().copied().collect::<Vec<_>>());
        }
        while let Some(expected) = model.pop_front() {
            assert_eq!(queue.pop_front().as_ref().map(task), Some(expected));
        }
        assert!(queue.is_empty() && queue.pop_front().is_none());
    }
}
