//! The interface's words in English and 简体中文. Pure data: the app picks
//! the language (the browser's, the user's choice, or a link's) and asks
//! for each label by key.

use crate::engine::trace::{Said, Word};
use crate::engine::Deadlock;
use crate::link::DecodeError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The code stored in settings and links.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The language's own name, shown in the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "简体中文",
        }
    }

    /// The language for a code or a browser language tag (`zh`, `zh-CN`,
    /// `zh-Hans-CN`...); anything else is English.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// `(key, English, Chinese)`.
const TEXTS: &[(&str, &str, &str)] = &[
    ("app.title", "asyncio playground", "asyncio 演练场"),
    ("app.tagline", "Build a task graph and watch the event loop run it, exactly as CPython would.", "搭建任务图，观察事件循环如何运行它——与 CPython 完全一致。"),
    ("app.noscript", "This playground runs Python's event loop in your browser with WebAssembly and needs JavaScript.", "本演练场用 WebAssembly 在浏览器里运行 Python 事件循环，需要启用 JavaScript。"),
    ("region.editor", "Task graph", "任务图"),
    ("region.python", "Python", "Python 代码"),
    ("region.timeline", "Timeline", "时间线"),
    ("region.loop", "Event loop", "事件循环"),
    ("region.output", "Output", "输出"),
    ("region.tabs", "Parts of the page", "页面各部分"),
    ("label.language", "Language", "语言"),
    ("label.example", "Example", "示例"),
    ("example.choose", "Load an example…", "加载示例……"),
    ("example.new", "New, empty program", "新建空程序"),
    ("label.after_run", "After asyncio.run() returns: print(…)", "asyncio.run() 返回后：print(…)"),
    ("action.add_line", "Add a line", "添加一行"),
    ("action.remove_line", "Remove line", "删除这一行"),
    ("action.undo", "Undo", "撤销"),
    ("action.redo", "Redo", "重做"),
    ("action.add_task", "Add task", "添加任务"),
    ("action.add_step", "Add step", "添加步骤"),
    ("action.delete", "Delete", "删除"),
    ("action.duplicate", "Duplicate", "复制"),
    ("action.duplicate_short", "Copy", "复制"),
    ("action.move_up", "Move up", "上移"),
    ("action.move_down", "Move down", "下移"),
    ("action.add_item", "Add item", "添加一项"),
    ("action.remove_item", "Remove item", "移除此项"),
    ("action.copy", "Copy", "复制代码"),
    ("action.copied", "Copied", "已复制"),
    ("shortcuts", "Ctrl+Z undo · Ctrl+Shift+Z redo", "Ctrl+Z 撤销 · Ctrl+Shift+Z 重做"),
    ("label.coroutine_name", "Coroutine name", "协程名"),
    ("label.task_name", "Task name (optional)", "任务名称（可选）"),
    ("label.step_kind", "Step to add", "要添加的步骤"),
    ("label.step", "Step", "步骤"),
    ("label.seconds", "Seconds", "秒数"),
    ("label.arguments", "Arguments", "参数"),
    ("label.value", "Value", "值"),
    ("label.exception", "Exception", "异常"),
    ("label.message", "Message", "消息"),
    ("label.task", "Task", "任务"),
    ("label.target", "Awaits", "等待对象"),
    ("label.timeout", "Timeout in seconds (empty: none)", "超时秒数（留空表示无）"),
    ("label.bind", "Store the result in", "结果存入变量"),
    ("label.done_var", "Done set", "已完成集合"),
    ("label.pending_var", "Pending set", "未完成集合"),
    ("label.return_exceptions", "return_exceptions", "return_exceptions（返回异常）"),
    ("label.return_when", "return_when", "return_when（何时返回）"),
    ("label.condition", "Condition", "条件"),
    ("label.loop_var", "Loop variable", "循环变量"),
    ("label.list", "List", "列表"),
    ("label.lock", "Lock", "锁"),
    ("label.semaphore", "Semaphore", "信号量"),
    ("label.event", "Event", "事件"),
    ("label.queue", "Queue", "队列"),
    ("label.future", "Future", "Future 对象"),
    ("label.callback", "Callback", "回调函数"),
    ("label.item", "Item", "项"),
    ("objects.title", "Callbacks, futures, locks, semaphores, events, queues", "回调、Future、锁、信号量、事件、队列"),
    ("label.name", "Name", "名称"),
    ("label.semaphore_value", "Initial value", "初始值"),
    ("label.queue_maxsize", "maxsize (0: unbounded)", "maxsize（0 表示不限）"),
    ("label.callback_prints", "def NAME(fut=None): print(…)", "def 名称(fut=None): print(…)"),
    ("action.add_callback", "Add callback", "添加回调"),
    ("action.add_future", "Add future", "添加 Future"),
    ("action.add_lock", "Add lock", "添加锁"),
    ("action.add_semaphore", "Add semaphore", "添加信号量"),
    ("action.add_event", "Add event", "添加事件"),
    ("action.add_queue", "Add queue", "添加队列"),
    ("label.main", "main() — asyncio.run(main())", "main() —— asyncio.run(main())"),
    ("awaitable.task", "the task", "任务"),
    ("awaitable.coro", "a new coroutine", "新协程"),
    ("awaitable.job", "run_in_executor", "run_in_executor（线程池）"),
    ("awaitable.future", "the future", "Future"),
    ("awaitable.side_loop", "on the side loop (run_coroutine_threadsafe)", "在子线程事件循环上运行 (run_coroutine_threadsafe)"),
    ("block.body", "body", "主体"),
    ("block.except", "except", "except 捕获"),
    ("block.finally", "finally", "finally 最终"),
    ("block.then", "if true", "条件为真时"),
    ("block.else", "else", "否则"),
    ("problems.title", "Problems", "问题"),
    ("problems.none", "No problems.", "没有问题。"),
    ("output.empty", "Nothing printed.", "没有输出。"),
    ("label.step_count", "{n} steps", "{n} 步"),
    ("action.show_steps", "Show its steps", "显示步骤"),
    ("action.show_more_steps", "Show {n} more steps", "再显示 {n} 步"),
    ("list.more", "… {n} more, not shown …", "…… 另有 {n} 项未显示 ……"),
    ("status.finished", "asyncio.run() returned at t =", "asyncio.run() 返回于 t ="),
    ("status.raised", "main raised", "main 抛出了异常"),
    ("status.deadlock", "Deadlock", "死锁"),
    ("deadlock.head", "deadlock: nothing is ready and no timer is set, so the loop would wait forever", "死锁：没有就绪的回调，也没有定时器，事件循环会永远等下去"),
    ("deadlock.waits", "{task} waits for {on}", "{task} 等待 {on}"),
    ("deadlock.waits_nothing", "{task} waits for nothing", "{task} 什么也没在等"),
    ("status.stopped", "Stopped", "已停止"),
    ("status.run_raised", "asyncio.run() raised", "asyncio.run() 抛出了异常"),
    ("status.after_run_raised", "The code after asyncio.run() raised", "asyncio.run() 之后的代码抛出了异常"),
    ("cancel.cycle", "{tasks} wait for each other: cancel() cancels what a task waits for, so each cancels the next, forever, until CPython raises RecursionError", "{tasks} 相互等待：cancel() 会取消任务正在等待的对象，于是它们无休止地依次取消，直到 CPython 抛出 RecursionError"),
    ("cancel.raised", "Cancelling {task} raised RecursionError, as in CPython", "取消 {task} 抛出了 RecursionError，与 CPython 相同"),
    ("stop.callbacks", "the loop ran {n} callbacks, as many as the playground runs, and the program had not ended", "事件循环已运行 {n} 个回调，达到演练场的上限，程序仍未结束"),
    ("stop.steps", "the tasks took {n} steps, as many as the playground runs, and the program had not ended", "任务已执行 {n} 步，达到演练场的上限，程序仍未结束"),
    ("stop.tasks", "the program made more than {n} tasks, more than the playground runs", "程序创建了超过 {n} 个任务，超出演练场的上限"),
    ("stop.trace", "the run recorded {n} events, more than the page can show", "运行记录了 {n} 个事件，超出页面能显示的范围"),
    ("stop.output", "the program printed more than {n} bytes", "程序输出超过了 {n} 字节"),
    ("stop.clock", "the virtual clock passed {n} s ({days} days), beyond which a loop cannot tell times a nanosecond apart", "虚拟时钟超过了 {n} 秒（{days} 天），此后事件循环无法区分相差一纳秒的时间"),
    ("stop.cancel_depth", "a cancel() went down a chain of more than {n} tasks, each waiting for the next; CPython raises RecursionError at a depth of 400 to 1,000, depending on what awaits what, and the playground stops rather than guess", "一次 cancel() 沿着一条超过 {n} 个任务的链传递，每个任务都在等待下一个；CPython 会在 400 到 1000 层之间抛出 RecursionError，具体取决于谁在等待什么，演练场在此停下而不去猜测"),
    ("stop.where", "{task} was at line {line}", "{task} 当时在第 {line} 行"),
    ("stop.where_task", "{task} was running", "{task} 当时正在运行"),
    ("status.invalid", "Fix the problems to run the program.", "请先修正问题再运行。"),
    ("run.controls", "Run controls", "运行控制"),
    ("run.run", "Run", "运行"),
    ("run.pause", "Pause", "暂停"),
    ("run.step", "Step", "单步"),
    ("run.next_event", "Next event", "下一个事件"),
    ("run.run_to_end", "Run to end", "运行到结束"),
    ("run.reset", "Reset", "重置"),
    ("run.speed", "Speed", "速度"),
    ("run.shortcuts", "Keys: P run · Space pause · S step · N next event · E run to end · R reset", "按键：P 运行 · 空格 暂停 · S 单步 · N 下一个事件 · E 运行到结束 · R 重置"),
    ("run.moment", "Moment", "时刻"),
    ("run.iteration", "iteration", "迭代"),
    ("run.ready", "Ready queue (runs next, in order)", "就绪队列（按顺序接着运行）"),
    ("run.timers", "Timers", "定时器"),
    ("run.tasks", "Tasks", "任务"),
    ("run.state", "State", "状态"),
    ("run.cancel_now", "Cancel now", "立即取消"),
    ("run.cancel_pending", "cancellation requested", "已请求取消"),
    ("run.await_tree", "Who awaits whom", "等待关系"),
    ("run.due_in", "due in {s} s", "{s} 秒后到期"),
    ("output.empty_yet", "Nothing printed yet.", "还没有输出。"),
    ("output.so_far", "Printed up to the moment shown.", "截至所示时刻的输出。"),
    ("problem.too_many_coroutines", "{n} coroutines is more than the playground runs ({max})", "{n} 个协程超过了演练场能运行的数量（{max}）"),
    ("problem.too_many_steps", "the program has {n} steps; the playground shows at most {max}", "程序有 {n} 步；演练场最多显示 {max} 步"),
    ("problem.too_big_as_text", "the program takes {kb} KB as text, more than a link holds ({max} KB): make its values or lists shorter", "程序写成文本有 {kb} KB，超过了链接能容纳的大小（{max} KB）：请把其中的值或列表改短"),
    ("problem.more", "and {n} more problems", "还有 {n} 个问题"),
    ("problem.too_many_objects", "{n} {kind}: keep to {max}", "{n} 个{kind}：最多 {max} 个"),
    ("problem.task_name_too_long", "a task name longer than {max} characters", "任务名超过了 {max} 个字符"),
    ("problem.two_coroutines_named", "two coroutines are named `{name}`", "有两个协程都叫 `{name}`"),
    ("problem.two_things_named", "two things are named `{name}`", "有两个东西都叫 `{name}`"),
    ("problem.name_of_a_task", "`{name}` is what the exported Python calls {base}'s task; choose another name", "导出的 Python 用 `{name}` 表示 {base} 的任务；请换一个名字"),
    ("problem.semaphore_too_big", "semaphore `{name}` starts at {value}; keep it under a million", "信号量 `{name}` 的初始值是 {value}；请小于一百万"),
    ("problem.on_both_loops", "{name} would run on both loops: what is handed to the side loop, and what it makes tasks of or awaits, cannot be used by the main loop too", "{name} 会同时在两个事件循环上运行：交给子线程事件循环的协程，以及它创建任务或等待的协程，不能再被主事件循环使用"),
    ("problem.side_call_soon_threadsafe", "call_soon_threadsafe from the side loop back to the main loop is not modelled", "演练场不模拟从子线程事件循环用 call_soon_threadsafe 回到主事件循环"),
    ("problem.side_objects", "locks, semaphores, events, queues and futures belong to the main loop; a coroutine on the side loop cannot use them", "锁、信号量、事件、队列和 Future 属于主事件循环；子线程事件循环上的协程不能使用它们"),
    ("problem.side_future", "futures belong to the main loop; a coroutine on the side loop cannot await them", "Future 属于主事件循环；子线程事件循环上的协程不能等待它们"),
    ("problem.side_executor", "run_in_executor from the side loop is not modelled; hand jobs over from the main loop", "演练场不模拟在子线程事件循环里调用 run_in_executor；请从主事件循环提交作业"),
    ("problem.side_to_side", "a coroutine on the side loop cannot hand work to the side loop: run_coroutine_threadsafe is for the main loop's coroutines", "子线程事件循环上的协程不能再把工作交给子线程事件循环：run_coroutine_threadsafe 是给主事件循环的协程用的"),
    ("problem.too_many_jobs", "keep to {jobs} jobs of at most {steps} steps", "最多 {jobs} 个作业，每个最多 {steps} 步"),
    ("problem.no_such", "there is no {kind} #{index}", "没有第 {index} 号{kind}"),
    ("problem.job_cannot_await", "a job runs on a thread: it can sleep (time.sleep), print, return, raise or call_soon_threadsafe, but not await", "作业在线程里运行：它可以休眠（time.sleep）、打印、返回、抛出异常或调用 call_soon_threadsafe，但不能 await"),
    ("problem.nested_too_deep", "blocks nest more than {max} deep", "代码块嵌套超过了 {max} 层"),
    ("problem.too_deep_for_python", "blocks nest too deeply for Python: for, async with and try count (an except twice), and CPython allows {max} of them (`if` is free)", "代码块对 Python 来说嵌套太深：for、async with 和 try 各算一层（except 算两层），CPython 最多允许 {max} 层（`if` 不算）"),
    ("problem.name_taken", "`{name}` already names a coroutine, a task or an object of the program's: the playground keeps variables' names apart from those", "`{name}` 已经是程序中某个协程、任务或对象的名字：演练场要求变量名与它们不同"),
    ("problem.main_as_a_task", "main cannot be made into a task of its own", "main 不能再被创建成它自己的任务"),
    ("problem.wait_for_nothing", "asyncio.wait() of nothing raises ValueError", "asyncio.wait() 什么都不等会抛出 ValueError"),
    ("problem.bare_raise", "a bare `raise` must be inside an `except` block", "单独的 `raise` 必须写在 `except` 块里"),
    ("problem.too_many_items", "{n} things to wait for at once; the playground runs at most {max}", "同时等待 {n} 个东西；演练场最多运行 {max} 个"),
    ("problem.main_awaits_itself", "main cannot await itself", "main 不能等待它自己"),
    ("problem.main_to_the_side_loop", "main runs on the main loop; it cannot be handed to the side loop", "main 在主事件循环上运行；不能交给子线程事件循环"),
    ("problem.task_waits_for_itself", "the task {name} cannot wait for or cancel itself", "任务 {name} 不能等待或取消它自己"),
    ("problem.callback_reads_result", "{name} reads fut.result(), but call_soon and call_later pass no future", "{name} 读取了 fut.result()，但 call_soon 和 call_later 不会传入 future"),
    ("problem.never_assigned", "`{name}` is never assigned here", "`{name}` 在这里从未被赋值"),
    ("problem.result_outside_a_callback", "fut.result() only means something in a done-callback", "fut.result() 只在完成回调里才有意义"),
    ("problem.loop_time_on_a_thread", "loop.time() needs the running loop, and a job's thread has none", "loop.time() 需要正在运行的事件循环，而作业的线程里没有"),
    ("problem.loop_time_after_run", "loop.time() needs the running loop, and after asyncio.run() returns there is none", "loop.time() 需要正在运行的事件循环，而 asyncio.run() 返回之后就没有了"),
    ("problem.epilogue_too_long", "keep to {max} lines after asyncio.run()", "asyncio.run() 之后最多 {max} 行"),
    ("problem.task_made_twice", "{name} is made into a task {count} times; make one task of it", "{name} 被创建成任务 {count} 次；请只创建一个任务"),
    ("problem.task_never_created", "{name}'s task is used but never created", "用到了 {name} 的任务，但从未创建它"),
    ("problem.inline_cycle", "{name} awaits {callee} inline, which leads back to it: that never ends", "{name} 直接 await {callee}，又绕回了它自己：永远不会结束"),
    ("problem.awaits_too_deep", "{name} awaits coroutines inline {depth} deep, counting the blocks each await is in; the playground allows {max}", "{name} 直接 await 协程的深度达到 {depth} 层（算上每个 await 所在的代码块）；演练场最多允许 {max} 层"),
    ("problem.too_many_arguments", "print takes {n} arguments here; keep to {max}", "这里的 print 有 {n} 个参数；最多 {max} 个"),
    ("problem.value_too_big", "a value this big does not fit the page: keep to {size} characters and items, lists nested at most {depth} deep", "这么大的值页面放不下：最多 {size} 个字符和元素，列表最多嵌套 {depth} 层"),
    ("problem.not_finite", "inf and nan are not numbers a link can hold: use a finite number", "inf 和 nan 不是链接能保存的数字：请用有限的数"),
    ("problem.not_seconds", "{s} is not a number of seconds", "{s} 不是一个秒数"),
    ("problem.negative_seconds", "{s} seconds is negative", "{s} 秒是负数"),
    ("problem.too_many_seconds", "{s} seconds is more than 30 days; use a shorter time", "{s} 秒超过了 30 天；请用更短的时间"),
    ("problem.name_empty", "a name is empty", "名字是空的"),
    ("problem.name_too_long", "`{name}…` is longer than {max} characters", "`{name}…` 超过了 {max} 个字符"),
    ("problem.name_normalized", "`{name}`: Python may read {c} (U+{code}) as another character (it normalizes names), so the name would not be the one you see; use plain letters and digits", "`{name}`：Python 可能把 {c}（U+{code}）读成另一个字符（它会规范化名字），于是名字就不是你看到的那个；请用普通的字母和数字"),
    ("problem.not_a_name", "`{name}` is not a Python name: use letters, digits and _, not starting with a digit", "`{name}` 不是合法的 Python 名字：请用字母、数字和 _，且不以数字开头"),
    ("problem.reserved_name", "`{name}` is reserved in Python or by the exported program", "`{name}` 是 Python 或导出的程序保留的名字"),
    ("object.callbacks", "callbacks", "回调"),
    ("object.futures", "futures", "Future"),
    ("object.locks", "locks", "锁"),
    ("object.semaphores", "semaphores", "信号量"),
    ("object.events", "events", "事件"),
    ("object.queues", "queues", "队列"),
    ("object.callback", "callback", "回调"),
    ("object.future", "future", "Future"),
    ("object.a_future", "a future", "一个 Future"),
    ("object.task", "task", "任务"),
    ("object.lock", "lock", "锁"),
    ("object.semaphore", "semaphore", "信号量"),
    ("object.event", "event", "事件"),
    ("object.queue", "queue", "队列"),
    ("object.job", "job", "作业"),
    ("object.coroutine", "coroutine", "协程"),
    ("story.clock_moves", "the clock moves to t={t}", "时钟前进到 t={t}"),
    ("story.side_submitted", "run_coroutine_threadsafe hands {coro}() to the side loop's thread", "run_coroutine_threadsafe 把 {coro}() 交给子线程事件循环"),
    ("story.cancel_lands", "CancelledError lands in {task} at its await", "CancelledError 在 {task} 的 await 处抛出"),
    ("story.exception_reaches", "{exc} reaches {task} at its await", "{exc} 传到 {task} 的 await 处"),
    ("story.timed_out", "{task}'s timeout runs out", "{task} 的超时时间到了"),
    ("story.job_submitted", "run_in_executor hands {job}() to the default executor", "run_in_executor 把 {job}() 交给默认线程池"),
    ("story.job_started", "a worker thread starts {job}(); the loop keeps running", "一个工作线程开始运行 {job}()；事件循环继续运行"),
    ("story.job_finished", "{job}() {outcome} on its thread; call_soon_threadsafe hands the result to the loop", "{job}() 在它的线程里{outcome}；call_soon_threadsafe 把结果交回事件循环"),
    ("story.blocked", "{task} blocks the whole loop (time.sleep): nothing else can run", "{task} 阻塞了整个事件循环（time.sleep）：别的都无法运行"),
    ("story.unblocked", "{task}'s time.sleep returns: its loop runs again", "{task} 的 time.sleep 返回：事件循环重新运行"),
    ("story.side_makes", "the side loop makes {task} for {coro}", "子线程事件循环为 {coro} 创建 {task}"),
    ("story.a_coroutine", "a coroutine", "某个协程"),
    ("story.creates", "{by} creates {task}; it starts when {by} yields", "{by} 创建了 {task}；它在 {by} 让出控制权后开始运行"),
    ("story.created", "{task} is created", "{task} 被创建"),
    ("story.starts", "{task} starts running", "{task} 开始运行"),
    ("story.resumes", "{task} resumes", "{task} 继续运行"),
    ("story.prints", "{task} prints: {text}", "{task} 打印：{text}"),
    ("story.program_prints", "the program prints: {text}", "程序打印：{text}"),
    ("story.yields", "{task} gives the loop one iteration (sleep(0))", "{task} 把一次迭代让给事件循环（sleep(0)）"),
    ("story.sleeps_until", "{task} sleeps until t={t}", "{task} 休眠到 t={t}"),
    ("story.sleeps", "{task} sleeps", "{task} 休眠"),
    ("story.waits", "{task} waits for {on}", "{task} 等待 {on}"),
    ("story.returns", "{task} returns {value}", "{task} 返回 {value}"),
    ("story.raises", "{task} raises {value}", "{task} 抛出 {value}"),
    ("story.is_cancelled", "{task} is cancelled", "{task} 被取消"),
    ("story.asks_to_cancel", "{by} asks {task} to cancel: CancelledError will land at its current await", "{by} 请求取消 {task}：CancelledError 将在它当前的 await 处抛出"),
    ("story.asked_to_cancel", "{task} is asked to cancel", "{task} 被请求取消"),
    ("story.side_outcome", "{fut} {outcome}: the outcome is back on the main loop", "{fut} {outcome}：结果回到主事件循环"),
    ("story.gather_passes", "gather passes {exc} on to {awaiter}", "gather 把 {exc} 传给 {awaiter}"),
    ("story.gather_passes_one_runs", "gather passes {exc} on to {awaiter}; {running} keeps running", "gather 把 {exc} 传给 {awaiter}；{running} 继续运行"),
    ("story.gather_passes_others_run", "gather passes {exc} on to {awaiter}; {running} keep running", "gather 把 {exc} 传给 {awaiter}；{running} 继续运行"),
    ("story.its_awaiter", "its awaiter", "等待它的任务"),
    ("story.and", " and ", "、"),
    ("outcome.returned", "returned {value}", "返回了 {value}"),
    ("outcome.raised", "raised {value}", "抛出了 {value}"),
    ("outcome.cancelled", "cancelled", "被取消"),
    ("outcome.pending", "pending", "尚未完成"),
    ("outcome.ended", "ended", "结束了"),
    ("queue.step", "step", "执行"),
    ("queue.step_task", "step {x}", "执行 {x}"),
    ("queue.wake_task", "wake {x}", "唤醒 {x}"),
    ("queue.call", "call {x}()", "调用 {x}()"),
    ("queue.check_cancelled", "check whether {x} was cancelled", "检查 {x} 是否已被取消"),
    ("queue.hand_job_result", "hand job {x}'s result to its future", "把作业 {x} 的结果交给它的 future"),
    ("queue.hand_outcome", "hand {x}'s outcome to the future awaited here", "把 {x} 的结果交给这里等待的 future"),
    ("queue.make_task", "make {x}'s task (run_coroutine_threadsafe)", "为 {x} 创建任务（run_coroutine_threadsafe）"),
    ("queue.cancel_task", "cancel {x}'s task", "取消 {x} 的任务"),
    ("queue.wake", "wake", "唤醒"),
    ("queue.end_sleep", "end a sleep", "结束一次 sleep"),
    ("queue.release_waiter", "release a waiter", "释放一个等待者"),
    ("queue.wait_done", "wait(): a task finished", "wait()：一个任务完成了"),
    ("queue.gather_child_done", "gather(): a child finished", "gather()：一个子任务完成了"),
    ("queue.as_completed_done", "as_completed(): a task finished", "as_completed()：一个任务完成了"),
    ("queue.as_completed_timeout", "as_completed(): timeout", "as_completed()：超时"),
    ("queue.shield_passes", "shield(): pass the outcome on", "shield()：把结果传出去"),
    ("queue.stop_run_until_complete", "stop the loop (run_until_complete is done)", "停止事件循环（run_until_complete 完成了）"),
    ("queue.stop_loop", "stop the loop", "停止事件循环"),
    ("queue.stop_side_loop", "stop the side loop", "停止子线程事件循环"),
    ("picture.runs_first", "runs first", "先运行"),
    ("picture.timer_due", "timer due", "定时器到期"),
    ("picture.waits_for_timer", "— empty: the loop sleeps until the first timer is due", "— 空：事件循环休眠，直到第一个定时器到期"),
    ("picture.no_pending", "No task is waiting.", "没有等待中的任务。"),
    ("picture.cycle", "These tasks await each other in a cycle: none can go on (a deadlock).", "这些任务循环等待彼此：谁也无法继续（死锁）。"),
    ("picture.closes_cycle", "awaits itself in a cycle", "在等待环中等回了自己"),
    ("picture.finished", "Done", "已结束"),
    ("picture.awaits", "awaits {on}", "等待 {on}"),
    ("picture.waiting", "waiting", "等待中"),
    ("picture.ready", "ready", "就绪"),
    ("picture.cycle_head", "cycle (deadlock):", "等待环（死锁）："),
    ("picture.as_text", "As text", "文字版"),
    ("run.iteration_did", "Iteration {n}: {said}", "第 {n} 次迭代：{said}"),
    ("run.said_then", "; ", "；"),
    ("run.nothing_yet", "Nothing has run yet: press Run, or Step to run one iteration.", "还没有运行：按“运行”，或按“单步”运行一次迭代。"),
    ("run.shutdown_task", "asyncio.run's shutdown, made after main returns", "asyncio.run 在 main 返回后的收尾任务"),
    ("run.results", "Results of gather, wait and as_completed", "gather、wait 与 as_completed 的结果"),
    ("run.result_waiting", "still waiting", "仍在等待"),
    ("run.result_returned", "returned", "已返回"),
    ("run.result_pending", "pending", "未完成"),
    ("run.result_list", "result list, in argument order", "结果列表（按参数顺序）"),
    ("run.done_set", "done", "done（已完成）"),
    ("run.pending_set", "pending", "pending（未完成）"),
    ("run.finish_order", "in the order they finished", "按完成顺序"),
    ("run.more_items", "more not shown", "项未显示"),
    ("mark.awaits", "awaits (arrow to the awaited task)", "等待（箭头指向被等待的任务）"),
    ("mark.cancel_requested", "cancellation requested", "请求取消"),
    ("mark.cancel_landed", "CancelledError lands", "CancelledError 送达"),
    ("mark.exception_landed", "exception passed on", "异常传递到此"),
    ("mark.timeout", "timeout ran out", "超时"),
    ("run.more_lanes", "Lanes not drawn (the first 200 tasks are shown):", "未绘制的泳道数（只显示前 200 个任务）："),
    ("link.copy", "Copy link", "复制链接"),
    ("mode.paste_program", "Paste a program", "粘贴程序"),
    ("link.copied", "Link copied", "链接已复制"),
    ("link.long", "This link is longer than 2,000 characters; some chat apps cut such links.", "链接超过 2000 个字符，部分聊天软件会截断它。"),
    ("link.problems", "Other pages refuse this link until the problems are fixed.", "问题修正之前，别的页面打不开此链接。"),
    ("link.set_aside", "Your own scenario was set aside to open this link.", "为打开此链接，你自己的场景已暂存。"),
    ("link.back", "Back to my work", "回到我的场景"),
    ("link.keep", "Keep the link's scenario", "保留链接中的场景"),
    ("link.opened", "Opened the scenario from the link.", "已从链接打开场景。"),
    ("link.bad", "This link could not be opened: {why}. Your own work is kept and shown instead.", "无法打开此链接：{why}。已保留并显示你自己的场景。"),
    ("link.err.empty", "the link holds no scenario", "链接里没有场景"),
    ("link.err.unknown", "this is not a playground link (it should start with #v2. or #v1.)", "这不是演练场的链接（它应以 #v2. 或 #v1. 开头）"),
    ("link.err.newer", "this link was made by a newer version of the playground ({v}); reload the page to update it", "此链接由更新版本的演练场生成（{v}）；请重新加载页面以更新"),
    ("link.err.too_long", "the link is {n} characters long, more than any scenario needs", "链接长 {n} 个字符，超过任何场景所需"),
    ("link.err.moment", "the link is damaged: the moment after its last `.` is not an iteration number", "链接已损坏：最后一个 `.` 之后的时刻不是迭代序号"),
    ("link.err.characters", "the link is damaged: it has characters a link never contains (was it cut or edited?)", "链接已损坏：含有链接里不会有的字符（是否被截断或改动过？）"),
    ("link.err.unpack", "the link is damaged: its data does not unpack (was it cut short?)", "链接已损坏：数据无法解包（是否被截短了？）"),
    ("link.err.too_large", "the link unpacks to more data than any scenario needs", "链接解包后的数据超过任何场景所需"),
    ("link.err.not_scenario", "the link does not hold a scenario: {e}", "链接里不是一个场景：{e}"),
    ("link.err.problems", "the link's scenario has problems: {problems}", "链接中的场景有问题：{problems}"),
    ("link.err.and", "; ", "；"),
    ("run.log", "What the loop did", "事件循环做了什么"),
    ("state.not_started", "not started", "尚未开始"),
    ("state.running", "running", "运行中"),
    ("state.waiting", "waiting for", "等待"),
    ("state.ready", "ready (yielded)", "就绪（已让出）"),
    ("state.returned", "returned", "已返回"),
    ("state.raised", "raised", "抛出异常"),
    ("state.cancelled", "cancelled", "已取消"),
    ("step.sleep", "sleep (asyncio.sleep)", "休眠 (asyncio.sleep)"),
    ("step.block", "block the loop (time.sleep)", "阻塞事件循环 (time.sleep)"),
    ("step.print", "print", "打印 (print)"),
    ("step.return", "return", "返回 (return)"),
    ("step.raise", "raise an exception", "抛出异常 (raise)"),
    ("step.create_task", "create a task", "创建任务 (create_task)"),
    ("step.await", "await", "等待 (await)"),
    ("step.gather", "gather", "并发收集 (gather)"),
    ("step.wait", "wait", "等待一组任务 (wait)"),
    ("step.as_completed", "for each as completed", "按完成顺序处理 (as_completed)"),
    ("step.wait_for", "wait_for with a timeout", "带超时等待 (wait_for)"),
    ("step.shield", "shield", "保护 (shield)"),
    ("step.cancel", "cancel a task", "取消任务 (cancel)"),
    ("step.try", "try / except", "捕获异常 (try/except)"),
    ("step.reraise", "re-raise (raise)", "重新抛出 (raise)"),
    ("step.if", "if", "条件 (if)"),
    ("step.for", "for each", "循环 (for)"),
    ("step.with_lock", "async with lock", "加锁 (async with lock)"),
    ("step.with_semaphore", "async with semaphore", "信号量 (async with semaphore)"),
    ("step.event_set", "event.set()", "设置事件 (event.set)"),
    ("step.event_clear", "event.clear()", "清除事件 (event.clear)"),
    ("step.event_wait", "await event.wait()", "等待事件 (event.wait)"),
    ("step.queue_put", "await queue.put()", "放入队列 (queue.put)"),
    ("step.queue_get", "await queue.get()", "从队列取出 (queue.get)"),
    ("step.queue_task_done", "queue.task_done()", "标记完成 (queue.task_done)"),
    ("step.queue_join", "await queue.join()", "等待队列处理完 (queue.join)"),
    ("step.set_result", "future.set_result()", "设置结果 (set_result)"),
    ("step.set_exception", "future.set_exception()", "设置异常 (set_exception)"),
    ("step.add_done_callback", "add a done-callback", "添加完成回调 (add_done_callback)"),
    ("step.call_soon", "loop.call_soon()", "尽快调用 (call_soon)"),
    ("step.call_later", "loop.call_later()", "延迟调用 (call_later)"),
    ("step.call_soon_threadsafe", "side_loop.call_soon_threadsafe()", "线程安全地交给子线程事件循环 (call_soon_threadsafe)"),
    ("job_step.block", "time.sleep (blocks this thread only)", "time.sleep（只阻塞本线程）"),
    ("job_step.print", "print()", "打印 (print)"),
    ("job_step.return", "return", "返回 (return)"),
    ("job_step.raise", "raise", "抛出异常 (raise)"),
    ("job_step.call_soon_threadsafe", "loop.call_soon_threadsafe()", "线程安全地回调事件循环 (call_soon_threadsafe)"),
    ("jobs.title", "Blocking jobs for run_in_executor (worker threads)", "交给 run_in_executor 的阻塞函数（工作线程）"),
    ("jobs.hint", "A job is a plain def run on one of the default executor's 5 worker threads; a task awaits it with the run_in_executor awaitable.", "阻塞函数是普通的 def，在默认线程池的 5 个工作线程之一上运行；任务通过 run_in_executor 等待它。"),
    ("label.job", "def (job)", "def（阻塞函数）"),
    ("action.add_job", "Add job", "添加阻塞函数"),
    ("threads.title", "Worker threads", "工作线程"),
    ("side.title", "Side loop: a second event loop in a thread of its own", "子线程事件循环：在自己线程里运行的第二个事件循环"),
    ("side.starting", "its thread has started but not run yet", "线程已启动，尚未运行"),
    ("side.waiting", "waiting in select for call_soon_threadsafe", "在 select 中等待 call_soon_threadsafe"),
    ("side.waiting_until", "waiting in select until", "在 select 中等待，直到"),
    ("side.woken", "woken by call_soon_threadsafe: its thread runs next", "已被 call_soon_threadsafe 唤醒：线程马上运行"),
    ("side.holding", "held by time.sleep in a task (the whole side loop waits) until", "被任务中的 time.sleep 占住（整个子线程循环都在等），直到"),
    ("side.stopped", "stopped: its thread has ended", "已停止：线程已结束"),
    ("run.on_side", "side loop", "子线程循环"),
    ("threads.queued", "queued: all 5 workers are busy", "排队中：5 个工作线程都在忙"),
    ("threads.running", "running on a worker thread", "正在工作线程上运行"),
    ("threads.sleeping", "time.sleep on its thread until", "在线程中 time.sleep，直到"),
    ("threads.cancelled", "cancelled before it started", "开始前已被取消"),
    ("mode.label", "Mode", "模式"),
    ("mode.graph", "Task graph", "任务图"),
    ("mode.code", "Python code", "Python 代码"),
    ("mode.edit_as_python", "Edit as Python", "以 Python 代码编辑"),
    ("code.loading_views", "Loading code mode", "正在加载代码模式"),
    ("code.load_failed", "Code mode could not be loaded", "代码模式加载失败"),
];

/// Code mode's words, apart: only code mode's module (and the words the
/// tracer's events are told in) reads them, so graph mode's download
/// carries none of them. `(key, English, Chinese)`, as `TEXTS`.
const CODE_TEXTS: &[(&str, &str, &str)] = &[
    ("code.region", "Your Python program", "你的 Python 程序"),
    ("code.editor", "Python program", "Python 程序"),
    ("code.run", "Run", "运行"),
    ("code.stop", "Stop", "停止"),
    ("code.loading", "Loading CPython (once)", "正在加载 CPython（仅一次）"),
    ("code.ready", "Runs on", "运行于"),
    ("code.running", "Running on", "正在运行于"),
    ("code.stopped", "Stopped: CPython's worker was ended. Run starts a fresh one.", "已停止：CPython 已结束。按“运行”重新开始。"),
    ("code.nothing_yet", "CPython runs the program on a virtual clock; then step through its loop.", "CPython 在虚拟时钟上运行程序，然后可逐步查看事件循环。"),
    ("code.replaced", "{n} spaces from a web page (non-breaking or full-width) became plain spaces.", "已把网页带来的 {n} 个不换行或全角空格换成普通空格。"),
    ("code.undo_replace", "Undo", "撤销"),
    ("code.controls", "Run controls", "运行控制"),
    ("code.reset", "Reset", "重置"),
    ("code.back", "Back", "后退"),
    ("code.play", "Play", "播放"),
    ("code.pause", "Pause", "暂停"),
    ("code.step", "Step", "单步"),
    ("code.next_event", "Next event", "下一事件"),
    ("code.to_end", "Run to end", "运行到底"),
    ("code.cursor", "Iteration shown", "显示的迭代"),
    ("code.iteration", "Iteration {i} of {n}, t={t}", "第 {i} 次迭代（共 {n} 次），t={t}"),
    ("code.finished", "The loop ran {n} iterations and ended at t={t}.", "事件循环共运行 {n} 次迭代，结束于 t={t}。"),
    ("code.ready_queue", "Ready queue", "就绪队列"),
    ("code.timers", "Timers, in the order they fire", "定时器（按触发顺序）"),
    ("code.empty", "(empty)", "（空）"),
    ("code.tasks", "Tasks", "任务"),
    ("code.task", "Task", "任务"),
    ("code.state", "State", "状态"),
    ("code.line", "Line", "行"),
    ("code.awaits", "Awaits", "等待的任务"),
    ("code.what_happens", "What this iteration does", "这次迭代做了什么"),
    ("code.at_line", "Line {n}", "第 {n} 行"),
    ("ev.at_line", " at line {line}", "（第 {line} 行）"),
    ("ev.the_program", "the program", "程序"),
    ("ev.created", "{by} creates {task}: {coro}{at}", "{by} 创建 {task}：{coro}{at}"),
    ("ev.starts", "{task} starts", "{task} 开始运行"),
    ("ev.resumes", "{task} resumes at line {line}", "{task} 从第 {line} 行恢复运行"),
    ("ev.thrown", "CancelledError is thrown into {task}", "CancelledError 被抛入 {task}"),
    ("ev.awaits", "{task} awaits {on}{at}", "{task} 开始等待 {on}{at}"),
    ("ev.yields", "{task} yields{at}", "{task} 让出控制权{at}"),
    ("ev.callback", "callback: {what}", "回调：{what}"),
    ("ev.you_cancel", "you cancel {task}", "你取消了 {task}"),
    ("ev.gave", "{what} gives {task}: {value}", "{what} 交给 {task}：{value}"),
    ("ev.asks_cancel", "{by} asks {task} to cancel", "{by} 请求取消 {task}"),
    ("code.paste_hint", "Paste your program (Ctrl+V): it replaces the one selected, and Ctrl+Z brings that back.", "粘贴你的程序（Ctrl+V）：它会替换选中的程序，按 Ctrl+Z 可以恢复。"),
    ("code.copy_link", "Copy link to this program", "复制此程序的链接"),
    ("code.open_file", "Open a .py file", "打开 .py 文件"),
    ("code.more_told", "… and more: this iteration does too much to list.", "……还有更多：这次迭代做的事太多，无法全部列出。"),
    ("code.more_results", "… and {n} more.", "……还有 {n} 条。"),
    ("code.file_too_big", "That file is {n} KB, more than a program: code mode opens files up to 512 KB.", "这个文件有 {n} KB，比一个程序大得多：代码模式只打开 512 KB 以内的文件。"),
    ("code.file_unread", "{file} could not be read as text.", "无法把 {file} 读取为文本。"),
    ("code.too_long_for_link", "This program is too long for a link ({n} characters): share the file instead.", "这个程序太长，无法放进链接（{n} 个字符）：请改为分享文件。"),
    ("code.you_cancelled", "You cancelled {task} in iteration {i}; the program ran again with that cancel.", "你在第 {i} 轮迭代中取消了 {task}，程序已带着这次取消重新运行。"),
    ("code.forget_cancels", "Run without my cancels", "不带我的取消重新运行"),
    ("code.old_asyncio", "Written for an older Python", "为旧版 Python 编写的代码"),
    ("code.apply_rewrite", "Rewrite for Python 3.11", "改写为 Python 3.11 的写法"),
    ("code.stderr", "stderr", "stderr"),
    ("code.prints", "it prints", "输出"),
    ("code.too_long", "Stopped: the program ran 30 seconds (a loop that never awaits?). Run starts a fresh CPython.", "已停止：程序运行了 30 秒（有从不 await 的循环？）。按“运行”重新开始。"),
];

/// A template with its `{name}`s filled in one pass: a value that holds
/// a `{name}` itself (a task the program named `{at}`) stays as it is.
/// An unknown `{name}` stays too.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (close, *v))
        });
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The callbacks the loop runs that name no task, as both the engine and
/// the tracer label them (the label is what the tests compare with
/// CPython's), and the keys of their words (what the learner reads).
const CALLBACK_WORDS: [(&str, &str); 10] = [
    ("end a sleep", "queue.end_sleep"),
    ("release a waiter", "queue.release_waiter"),
    ("wait(): a task finished", "queue.wait_done"),
    ("gather(): a child finished", "queue.gather_child_done"),
    ("as_completed(): a task finished", "queue.as_completed_done"),
    ("as_completed(): timeout", "queue.as_completed_timeout"),
    ("shield(): pass the outcome on", "queue.shield_passes"),
    (
        "stop the loop (run_until_complete is done)",
        "queue.stop_run_until_complete",
    ),
    ("stop the loop", "queue.stop_loop"),
    ("stop the side loop", "queue.stop_side_loop"),
];

/// The callbacks that name a task or one of the program's own things:
/// `(before, after, key)`, the name between (`call {x}()`).
const NAMED_CALLBACK_WORDS: [(&str, &str, &str); 8] = [
    ("step ", "", "queue.step_task"),
    ("wake ", "", "queue.wake_task"),
    ("call ", "()", "queue.call"),
    ("check whether ", " was cancelled", "queue.check_cancelled"),
    (
        "hand job ",
        "'s result to its future",
        "queue.hand_job_result",
    ),
    (
        "hand ",
        "'s outcome to the future awaited here",
        "queue.hand_outcome",
    ),
    (
        "make ",
        "'s task (run_coroutine_threadsafe)",
        "queue.make_task",
    ),
    ("cancel ", "'s task", "queue.cancel_task"),
];

/// A ready-queue item's or timer's label in `lang`.
pub fn callback_words(lang: Lang, label: &str) -> String {
    if let Some((_, key)) = CALLBACK_WORDS.iter().find(|(raw, _)| *raw == label) {
        return t(lang, key).to_string();
    }
    for (before, after, key) in NAMED_CALLBACK_WORDS {
        if let Some(x) = label
            .strip_prefix(before)
            .and_then(|rest| rest.strip_suffix(after))
        {
            return fill(t(lang, key), &[("x", x)]);
        }
    }
    label.to_string()
}

/// What the await tree's text says after a task's name, in `lang`:
/// " (awaits sleep)". `state` is a `TaskState::key`; `on`, what a waiting
/// task waits for.
pub fn tree_state(lang: Lang, state: &str, on: Option<&str>) -> String {
    let words = match (state, on) {
        ("waiting", Some(on)) => fill(
            t(lang, "picture.awaits"),
            &[("on", &future_words(lang, on))],
        ),
        ("waiting", None) => t(lang, "picture.waiting").to_string(),
        ("ready", _) => t(lang, "picture.ready").to_string(),
        (state, _) => t(lang, &format!("state.{}", state.replace('-', "_"))).to_string(),
    };
    format!(" ({words})")
}

/// A task's state in `lang`, with what it waits for or ended with:
/// "waiting for 任务 Task-2", "returned 3". `state` is a `TaskState::key`
/// or the word CPython's tracer writes ("not started").
pub fn task_state_words(lang: Lang, state: &str, detail: Option<&str>) -> String {
    let key = format!("state.{}", state.replace(['-', ' '], "_"));
    let word = t(lang, &key);
    match detail {
        Some(on) if state == "waiting" => format!("{word} {}", future_words(lang, on)),
        Some(detail) => format!("{word} {detail}"),
        None => word.to_string(),
    }
}

/// The nouns `Loop::describe_future` and CPython's tracer put before a
/// name, by the key that words them.
const FUTURE_NOUNS: [(&str, &str); 6] = [
    ("task ", "object.task"),
    ("future ", "object.future"),
    ("lock ", "object.lock"),
    ("semaphore ", "object.semaphore"),
    ("event ", "object.event"),
    ("queue ", "object.queue"),
];

/// What a task awaits in `lang`: "task Task-2" is "任务 Task-2". Python's
/// own names (sleep, gather, wait_for()) and the program's stay as they are.
pub fn future_words(lang: Lang, description: &str) -> String {
    if description == "a future" {
        return t(lang, "object.a_future").to_string();
    }
    for (noun, key) in FUTURE_NOUNS {
        if let Some(name) = description.strip_prefix(noun) {
            return format!("{} {name}", t(lang, key));
        }
    }
    description.to_string()
}

/// The page's notice for a link it could not open, in `lang`.
pub fn bad_link_notice(lang: Lang, error: &DecodeError) -> String {
    fill(
        t(lang, "link.bad"),
        &[("why", &link_error_words(lang, error))],
    )
}

/// Why a link could not be opened (`link::DecodeError`), in `lang`.
pub fn link_error_words(lang: Lang, error: &DecodeError) -> String {
    let (key, values): (&str, Vec<(&str, String)>) = match error {
        DecodeError::Empty => ("link.err.empty", vec![]),
        DecodeError::UnknownFormat => ("link.err.unknown", vec![]),
        DecodeError::FutureVersion(v) => ("link.err.newer", vec![("v", v.clone())]),
        DecodeError::TooLong(n) => ("link.err.too_long", vec![("n", n.to_string())]),
        DecodeError::BadMoment => ("link.err.moment", vec![]),
        DecodeError::NotBase64 => ("link.err.characters", vec![]),
        DecodeError::Corrupt => ("link.err.unpack", vec![]),
        DecodeError::TooLarge => ("link.err.too_large", vec![]),
        DecodeError::NotAScenario(e) => ("link.err.not_scenario", vec![("e", e.clone())]),
        DecodeError::Invalid(problems) => {
            let said: Vec<String> = problems.iter().map(|p| say(lang, p)).collect();
            (
                "link.err.problems",
                vec![("problems", said.join(t(lang, "link.err.and")))],
            )
        }
    };
    let values: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    fill(t(lang, key), &values)
}

/// A deadlock report (`engine::Deadlock`) in `lang`.
pub fn deadlock_words(lang: Lang, deadlock: &Deadlock) -> String {
    let mut text = t(lang, "deadlock.head").to_string();
    for (task, on) in &deadlock.waiting {
        let line = match on {
            Some(on) => fill(
                t(lang, "deadlock.waits"),
                &[("task", task), ("on", &future_words(lang, on))],
            ),
            None => fill(t(lang, "deadlock.waits_nothing"), &[("task", task)]),
        };
        text.push_str("\n  ");
        text.push_str(&line);
    }
    text
}

/// One thing the engine's story tells (`Loop::said`), in `lang`.
pub fn say(lang: Lang, said: &Said) -> String {
    let values: Vec<(&str, String)> = said
        .values
        .iter()
        .map(|(name, word)| {
            let text = match word {
                Word::Text(text) => text.clone(),
                Word::Key(key) => t(lang, key).to_string(),
                Word::And(names) => names.join(t(lang, "story.and")),
                Word::Said(inner) => say(lang, inner),
                Word::Future(description) => future_words(lang, description),
            };
            (*name, text)
        })
        .collect();
    let values: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    fill(t(lang, said.key), &values)
}

/// A code-mode word (see `CODE_TEXTS`), or any other by `t`.
pub fn t_code(lang: Lang, key: &str) -> &str {
    match CODE_TEXTS.iter().find(|(k, _, _)| *k == key) {
        Some((_, en, zh)) => match lang {
            Lang::En => en,
            Lang::Zh => zh,
        },
        None => t(lang, key),
    }
}

/// The text for `key` in `lang`; the key itself if it is unknown, so a
/// missing translation shows up instead of vanishing.
pub fn t(lang: Lang, key: &str) -> &str {
    match TEXTS.iter().find(|(k, _, _)| *k == key) {
        Some((_, en, zh)) => match lang {
            Lang::En => en,
            Lang::Zh => zh,
        },
        None => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::StepKind;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (key, en, zh) in TEXTS.iter().chain(CODE_TEXTS) {
            assert!(seen.insert(key), "{key} twice");
            assert!(!en.is_empty() && !zh.is_empty(), "{key} untranslated");
        }
        for kind in StepKind::ALL {
            let key = format!("step.{}", kind.key());
            assert_ne!(t(Lang::Zh, &key), key, "no label for {key}");
        }
        for kind in StepKind::JOB {
            let key = format!("job_step.{}", kind.key());
            assert_ne!(t(Lang::Zh, &key), key, "no label for {key}");
        }
    }

    /// Every sentence the engine's story says, for every preset, has its
    /// template in both languages, filled to the last `{name}`.
    #[test]
    fn the_engines_story_is_worded_in_both_languages() {
        fn keys(said: &Said, out: &mut Vec<&'static str>) {
            out.push(said.key);
            for (_, word) in &said.values {
                match word {
                    Word::Key(key) => out.push(key),
                    Word::Said(inner) => keys(inner, out),
                    _ => {}
                }
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for preset in crate::gallery::presets() {
            let Ok(mut sim) = crate::engine::Simulation::new(preset.program.clone()) else {
                continue;
            };
            sim.run_to_end();
            sim.with_loop(|l| {
                for told in l.narrative() {
                    let said = l.said(&told);
                    let mut used = Vec::new();
                    keys(&said, &mut used);
                    for key in used {
                        assert_ne!(t(Lang::Zh, key), key, "no words for {key}");
                        seen.insert(key);
                    }
                    for lang in Lang::ALL {
                        let text = say(lang, &said);
                        let names = said.values.iter().map(|(n, _)| format!("{{{n}}}"));
                        for name in names {
                            assert!(!text.contains(&name), "{name} unfilled in {text:?}");
                        }
                    }
                }
            });
        }
        // The presets tell of clocks, sleeps, gathers, cancels, jobs and
        // the side loop: most of the story's sentences.
        assert!(seen.len() >= 25, "{seen:?}");
        let zh = say(
            Lang::Zh,
            &Said {
                key: "story.sleeps_until",
                values: vec![
                    ("task", Word::Text("Task-2".into())),
                    ("t", Word::Text("5.0".into())),
                ],
            },
        );
        assert_eq!(zh, "Task-2 休眠到 t=5.0");
    }

    /// Every label the presets' queues and timers show is one the page
    /// words in both languages, and in English as the label itself.
    #[test]
    fn the_loops_callbacks_are_worded() {
        for preset in crate::gallery::presets() {
            let Ok(mut sim) = crate::engine::Simulation::new(preset.program.clone()) else {
                continue;
            };
            while sim.is_running() {
                let s = sim.snapshot();
                let side = s
                    .side
                    .iter()
                    .flat_map(|side| side.ready.iter().chain(side.timers.iter().map(|(_, w)| w)));
                for label in s
                    .ready
                    .iter()
                    .chain(s.timers.iter().map(|(_, w)| w))
                    .chain(side)
                {
                    let zh = callback_words(Lang::Zh, label);
                    assert_ne!(zh, *label, "{}: no words for {label:?}", preset.id);
                    assert_eq!(callback_words(Lang::En, label), *label, "{}", preset.id);
                }
                sim.run_once();
            }
        }
    }

    /// What every preset's tasks wait for reads in Chinese without an
    /// English noun ("任务 Task-2", not "task Task-2"), and in English as
    /// the engine (and CPython's tracer) names it.
    #[test]
    fn what_tasks_wait_for_is_worded() {
        use crate::engine::snapshot::TaskState;
        let mut nouns = std::collections::BTreeSet::new();
        for preset in crate::gallery::presets() {
            let Ok(mut sim) = crate::engine::Simulation::new(preset.program.clone()) else {
                continue;
            };
            while sim.is_running() {
                for task in &sim.snapshot().tasks {
                    let TaskState::Waiting { on } = &task.state else {
                        continue;
                    };
                    assert_eq!(future_words(Lang::En, on), *on, "{}", preset.id);
                    let zh = future_words(Lang::Zh, on);
                    if let Some((noun, _)) = FUTURE_NOUNS.iter().find(|(n, _)| on.starts_with(n)) {
                        assert!(!zh.starts_with(noun), "{}: {zh:?}", preset.id);
                        nouns.insert(*noun);
                    }
                }
                sim.run_once();
            }
        }
        // The presets await tasks, futures set by hand, locks and queues.
        assert!(nouns.len() >= 3, "{nouns:?}");
        assert_eq!(future_words(Lang::Zh, "a future"), "一个 Future");
        assert_eq!(future_words(Lang::Zh, "lock guard"), "锁 guard");
        assert_eq!(future_words(Lang::Zh, "wait_for()"), "wait_for()");
    }

    /// Every key the engine's sentences use (the validator's problems,
    /// the story, how futures ended, the objects' words) has its words in
    /// both languages: read from the sources, so a new sentence cannot
    /// slip by untranslated.
    #[test]
    fn every_sentence_the_engine_says_is_worded_in_both_languages() {
        let sources = [
            include_str!("engine/validate.rs"),
            include_str!("engine/pyrules.rs"),
            include_str!("engine/trace.rs"),
            include_str!("engine/sim.rs"),
        ];
        let mut keys = 0;
        for source in sources {
            for (i, _) in source.match_indices('"') {
                let rest = &source[i + 1..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                let ours = ["problem.", "object.", "story.", "outcome.", "deadlock."]
                    .iter()
                    .any(|p| key.starts_with(p))
                    && key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
                if ours {
                    keys += 1;
                    assert_ne!(t(Lang::Zh, key), key, "no words for {key}");
                    assert_ne!(t(Lang::En, key), key, "no words for {key}");
                }
            }
        }
        assert!(keys > 80, "{keys} keys found");
    }

    /// A problem the validator finds, in Chinese, placeholders filled.
    #[test]
    fn a_problem_is_worded_in_chinese() {
        let mut program = crate::gallery::presets().remove(0).program;
        program.coroutines[1].name = "main".into();
        let problems =
            crate::engine::validate::validate(&program, &crate::engine::Budget::default());
        let problem = problems
            .iter()
            .find(|p| p.said.key == "problem.two_coroutines_named")
            .expect("two coroutines named main");
        assert_eq!(problem.message, "two coroutines are named `main`");
        assert_eq!(say(Lang::Zh, &problem.said), "有两个协程都叫 `main`");
    }

    /// Every reason a link is refused has its words in both languages; the
    /// scenario's problems are worded with it.
    #[test]
    fn a_refused_link_says_why_in_both_languages() {
        use crate::link::DecodeError as E;
        let problem = crate::engine::validate(
            &crate::engine::Program {
                coroutines: vec![crate::engine::Coroutine::new("main", vec![]); 2],
                ..Default::default()
            },
            &crate::engine::Budget::default(),
        )
        .remove(0)
        .said;
        for error in [
            E::Empty,
            E::UnknownFormat,
            E::FutureVersion("v3".into()),
            E::TooLong(9000),
            E::BadMoment,
            E::NotBase64,
            E::Corrupt,
            E::TooLarge,
            E::NotAScenario("expected `{`".into()),
            E::Invalid(vec![problem.clone(), problem]),
        ] {
            let en = link_error_words(Lang::En, &error);
            let zh = link_error_words(Lang::Zh, &error);
            assert_eq!(en, error.to_string());
            assert!(!zh.contains('{') || zh.contains("`{`"), "unfilled: {zh}");
            assert!(
                !zh.contains(" the ") && zh != en,
                "{error:?} in Chinese: {zh}"
            );
        }
        let zh = bad_link_notice(Lang::Zh, &E::Corrupt);
        assert_eq!(zh, "无法打开此链接：链接已损坏：数据无法解包（是否被截短了？）。已保留并显示你自己的场景。");
    }

    /// The deadlock preset's report, worded in each language.
    #[test]
    fn a_deadlock_report_is_worded_in_both_languages() {
        let preset = crate::gallery::presets()
            .into_iter()
            .find(|p| p.id == "deadlock")
            .unwrap();
        let mut sim = crate::engine::Simulation::new(preset.program).unwrap();
        let crate::engine::Status::Deadlock(report) = sim.run_to_end() else {
            panic!("the deadlock preset ends in a deadlock");
        };
        let zh = deadlock_words(Lang::Zh, report);
        assert!(zh.starts_with("死锁：没有就绪的回调"), "{zh}");
        assert!(zh.contains("\n  Task-1 等待 Future answer"), "{zh}");
        assert_eq!(report.to_string(), deadlock_words(Lang::En, report));
        assert!(
            report.to_string().contains("\n  Task-1 waits for future "),
            "{report}"
        );
    }

    #[test]
    fn templates_are_filled_in_one_pass() {
        assert_eq!(
            fill(
                "{task} awaits {on}{at}",
                &[("task", "{at}"), ("on", "sleep"), ("at", " at line 3")]
            ),
            "{at} awaits sleep at line 3"
        );
        assert_eq!(fill("{x} {unknown} {", &[("x", "1")]), "1 {unknown} {");
        assert_eq!(fill("第 {n} 行", &[("n", "12")]), "第 12 行");
    }

    #[test]
    fn browser_tags_choose_the_language() {
        assert_eq!(Lang::from_tag("zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_tag("zh-Hans-CN"), Lang::Zh);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(Lang::from_tag("fr"), Lang::En);
    }
}
