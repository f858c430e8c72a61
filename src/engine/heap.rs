//! CPython's `heapq` algorithm, step for step.
//!
//! asyncio keeps its timers in a `heapq` ordered by deadline alone, so timers
//! with equal deadlines leave the heap in an order that depends on the exact
//! sift operations, not on insertion order. Reproducing CPython's output means
//! reproducing those operations, which is why this is not `BinaryHeap`.

/// Pushes `item`, like `heapq.heappush`.
pub fn push<T: Copy>(heap: &mut Vec<T>, item: T, lt: impl Fn(&T, &T) -> bool) {
    heap.push(item);
    let last = heap.len() - 1;
    sift_down(heap, 0, last, &lt);
}

/// Pops the smallest item, like `heapq.heappop`.
pub fn pop<T: Copy>(heap: &mut Vec<T>, lt: impl Fn(&T, &T) -> bool) -> Option<T> {
    let last = heap.pop()?;
    if heap.is_empty() {
        return Some(last);
    }
    let top = heap[0];
    heap[0] = last;
    sift_up(heap, 0, &lt);
    Some(top)
}

/// Rebuilds the heap property in place, like `heapq.heapify`.
pub fn heapify<T: Copy>(heap: &mut [T], lt: impl Fn(&T, &T) -> bool) {
    for i in (0..heap.len() / 2).rev() {
        sift_up(heap, i, &lt);
    }
}

/// `heapq._siftdown`: moves the item at `pos` up towards `start`.
fn sift_down<T: Copy>(heap: &mut [T], start: usize, mut pos: usize, lt: &impl Fn(&T, &T) -> bool) {
    let item = heap[pos];
    while pos > start {
        let parent = (pos - 1) >> 1;
        if lt(&item, &heap[parent]) {
            heap[pos] = heap[parent];
            pos = parent;
        } else {
            break;
        }
    }
    heap[pos] = item;
}

/// `heapq._siftup`: sinks the item at `pos` to a leaf along the smaller
/// children, then sifts it back up. CPython prefers the right child on ties.
fn sift_up<T: Copy>(heap: &mut [T], mut pos: usize, lt: &impl Fn(&T, &T) -> bool) {
    let end = heap.len();
    let start = pos;
    let item = heap[pos];
    let base = heap.as_mut_ptr();
    let mut child = 2 * pos + 1;
    // While both children exist, the smaller is picked without a branch:
    // which one it is, is a coin toss no predictor learns. The path to the
    // leaf is a chain of cache misses in a big heap, each waiting on the
    // last comparison, so the eight great-grandchildren it may lead to
    // (128 bytes of timers: three cache lines at most, reached by the
    // first, fifth and last) are fetched three levels ahead. This loop is
    // a fifth of a big run's instructions, so it indexes without bounds
    // checks and fetches without asking whether the grandchildren exist
    // (a prefetch of any address is harmless).
    while child + 1 < end {
        let ahead = 4 * child + 3;
        super::core::prefetch_in(heap, ahead);
        super::core::prefetch_in(heap, ahead + 4);
        super::core::prefetch_in(heap, ahead + 7);
        // SAFETY: `child + 1 < end`, so `child`, `child + 1` and `pos`
        // (which is less than `child`) are inside `heap`.
        unsafe {
            child += usize::from(!lt(&*base.add(child), &*base.add(child + 1)));
            *base.add(pos) = *base.add(child);
        }
        pos = child;
        child = 2 * pos + 1;
    }
    if child < end {
        heap[pos] = heap[child];
        pos = child;
    }
    heap[pos] = item;
    sift_down(heap, start, pos, lt);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_key(a: &(u32, u32), b: &(u32, u32)) -> bool {
        a.0 < b.0
    }

    #[test]
    fn equal_keys_pop_in_heapq_order_not_insertion_order() {
        // CPython 3.11, pushing ids 0..6 with keys [1,1,1,1,0,1] and comparing
        // keys only, pops ids 4, 2, 5, 1, 0, 3.
        let mut heap = Vec::new();
        for (id, key) in [1, 1, 1, 1, 0, 1].into_iter().enumerate() {
            push(&mut heap, (key, id as u32), by_key);
        }
        let order: Vec<u32> = std::iter::from_fn(|| pop(&mut heap, by_key))
            .map(|(_, id)| id)
            .collect();
        assert_eq!(order, [4, 2, 5, 1, 0, 3]);
    }
}
