//! Natively, a loop's big tables outlive it, for the next loop on the
//! same thread (see [`SpareTables`]).

use std::cell::RefCell;

use super::core::{FutSlot, HandleSlot, Loop, Ready, TaskSlot, Timer};
use super::ready::ReadyQueue;
use super::trace::Event;

/// The biggest tables of a dropped loop, emptied, kept for the next loop
/// on this thread. A run of 100,000 tasks fills about 60 MB of them. Freed,
/// blocks that big go straight back to the system (glibc maps and unmaps
/// them), and the next run (a re-run, the next scenario, `conform`'s next
/// program) spent a third of its time having fresh pages zeroed for it.
/// So a thread keeps the memory of its biggest run, which the run budget
/// bounds. A WebAssembly page needs none of this: its memory never
/// shrinks, so its allocator reuses those pages anyway.
struct SpareTables {
    ready: ReadyQueue,
    timers: Vec<Timer>,
    handles: Vec<HandleSlot>,
    futures: Vec<FutSlot>,
    tasks: Vec<TaskSlot>,
    trace: Vec<Event>,
}

thread_local! {
    static SPARE_TABLES: RefCell<Option<SpareTables>> = const { RefCell::new(None) };
}

impl SpareTables {
    /// Takes the tables out of a loop that is being dropped, emptied.
    fn take_from(l: &mut Loop) -> SpareTables {
        fn emptied<T>(table: &mut Vec<T>) -> Vec<T> {
            let mut table = std::mem::take(table);
            table.clear();
            table
        }
        let mut ready = std::mem::take(&mut l.ready);
        ready.clear();
        SpareTables {
            ready,
            timers: emptied(&mut l.timers),
            handles: emptied(&mut l.handles),
            futures: emptied(&mut l.futures),
            tasks: emptied(&mut l.tasks),
            trace: emptied(&mut l.trace),
        }
    }

    /// The memory the tables hold, to keep the biggest.
    fn capacity_bytes(&self) -> usize {
        use std::mem::size_of;
        self.ready.capacity() * size_of::<Ready>()
            + self.timers.capacity() * size_of::<Timer>()
            + self.handles.capacity() * size_of::<HandleSlot>()
            + self.futures.capacity() * size_of::<FutSlot>()
            + self.tasks.capacity() * size_of::<TaskSlot>()
            + self.trace.capacity() * size_of::<Event>()
    }

    /// Gives a new loop these tables, where its own are still unused.
    fn lend_to(self, l: &mut Loop) {
        fn lend<T>(own: &mut Vec<T>, spare: Vec<T>) {
            if own.capacity() == 0 {
                *own = spare;
            }
        }
        if l.ready.capacity() == 0 {
            l.ready = self.ready;
        }
        lend(&mut l.timers, self.timers);
        lend(&mut l.handles, self.handles);
        lend(&mut l.futures, self.futures);
        lend(&mut l.tasks, self.tasks);
        lend(&mut l.trace, self.trace);
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        let tables = SpareTables::take_from(self);
        // `try_with`: a loop dropped while the thread ends keeps nothing.
        let _ = SPARE_TABLES.try_with(|spare| {
            let mut spare = spare.borrow_mut();
            let bigger = spare
                .as_ref()
                .is_none_or(|kept| tables.capacity_bytes() > kept.capacity_bytes());
            if bigger {
                *spare = Some(tables);
            }
        });
    }
}

/// Gives `l`, a new loop, the spare tables of the biggest loop dropped on
/// this thread, if any.
pub(super) fn lend_spare_tables(l: &mut Loop) {
    if let Some(spare) = SPARE_TABLES.with(|spare| spare.borrow_mut().take()) {
        spare.lend_to(l);
    }
}
