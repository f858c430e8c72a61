//! Typed ids for the loop's objects, so a task can never be mistaken for a
//! future or a timer handle.

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// A task, numbered in creation order from 0.
    TaskId
);
id!(
    /// A future (tasks are futures too: each task owns one).
    FutId
);
id!(
    /// A timer's handle, which can cancel it (`TimerHandle`).
    HandleId
);

/// A task, or none: `Option<TaskId>` in 4 bytes (no task is numbered
/// `u32::MAX`; the run budget ends a run long before), so a trace event
/// naming two tasks stays small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaybeTask(u32);

impl MaybeTask {
    pub fn get(self) -> Option<TaskId> {
        (self.0 != u32::MAX).then_some(TaskId(self.0))
    }
}

impl From<Option<TaskId>> for MaybeTask {
    fn from(task: Option<TaskId>) -> MaybeTask {
        MaybeTask(task.map_or(u32::MAX, |t| t.0))
    }
}
