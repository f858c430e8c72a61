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
    /// A scheduled callback that can be cancelled: a timer or a `call_soon` handle.
    HandleId
);
