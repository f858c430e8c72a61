//! The yew shell: the page's layout and its regions. It renders what the
//! engine computes and never models asyncio itself.

use yew::prelude::*;

/// The playground's main regions, in reading order. Each is a landmark with an
/// accessible name so screen readers and tests can find it.
pub const REGIONS: [(&str, &str); 5] = [
    ("editor", "Task graph"),
    ("python", "Python"),
    ("timeline", "Timeline"),
    ("loop", "Event loop"),
    ("output", "Output"),
];

#[component]
pub fn App() -> Html {
    html! {
        <div class="playground">
            <header class="app-header">
                <h1>{ "asyncio playground" }</h1>
                <p class="tagline">{ "Build a task graph, press run, watch the event loop work." }</p>
            </header>
            <main class="regions">
                { for REGIONS.iter().map(|(id, name)| html! {
                    <section id={*id} class={classes!("region", *id)} aria-label={*name}>
                        <h2>{ *name }</h2>
                    </section>
                }) }
            </main>
        </div>
    }
}

/// Mounts the app into the page's `#app` element, or the body if it is missing.
pub fn mount() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => yew::Renderer::<App>::with_root(root).render(),
        None => yew::Renderer::<App>::new().render(),
    };
}
