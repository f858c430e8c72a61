//! Labelled form fields. Each wraps its control in a `<label>` with visible
//! text, so screen readers and tests find it by name in either language.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SelectProps {
    pub label: AttrValue,
    pub value: AttrValue,
    /// `(value, text)` pairs.
    pub options: Vec<(String, String)>,
    pub on_change: Callback<String>,
    /// Draw only the chosen option until the picker is used.
    #[prop_or_default]
    pub lazy: bool,
}

/// A lazy picker with more choices than this draws only the chosen one
/// until the pointer comes near it or it takes the focus: a program's
/// every await lists every task, and drawn in full, 100 coroutines made
/// 50,000 elements and held the page for most of a second.
const LAZY_OPTIONS: usize = 8;

#[component]
pub fn Select(props: &SelectProps) -> Html {
    let engaged = use_state(|| false);
    let onchange = {
        let cb = props.on_change.clone();
        Callback::from(move |e: Event| {
            cb.emit(e.target_unchecked_into::<HtmlSelectElement>().value())
        })
    };
    let engage = {
        let engaged = engaged.clone();
        move || {
            if !*engaged {
                engaged.set(true);
            }
        }
    };
    let onfocus = {
        let engage = engage.clone();
        Callback::from(move |_: FocusEvent| engage())
    };
    let onpointerover = {
        let engage = engage.clone();
        Callback::from(move |_: PointerEvent| engage())
    };
    let ontouchstart = Callback::from(move |_: TouchEvent| engage());
    let all = *engaged || !props.lazy || props.options.len() <= LAZY_OPTIONS;
    let chosen = props
        .options
        .iter()
        .find(|(value, _)| *value == *props.value);
    html! {
        <label class="field">
            <span class="field-label">{ &props.label }</span>
            <select {onchange} {onfocus} {onpointerover} {ontouchstart}>
                // A value no option has (a step whose target was removed)
                // shows as a blank choice, so picking any real one is a change.
                if chosen.is_none() {
                    <option value={props.value.clone()} selected=true disabled=true>{ "—" }</option>
                }
                if all {
                    { for props.options.iter().map(|(value, text)| html! {
                        <option value={value.clone()} selected={*value == *props.value}>{ text }</option>
                    }) }
                } else if let Some((value, text)) = chosen {
                    <option value={value.clone()} selected=true>{ text }</option>
                }
            </select>
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct TextProps {
    pub label: AttrValue,
    pub value: AttrValue,
    /// Returns an error message to show, or `None` when the value was taken.
    pub on_change: Callback<String, Option<String>>,
    #[prop_or_default]
    pub wide: bool,
    #[prop_or_default]
    pub numeric: bool,
}

/// A text (or number) field that commits on change and shows, in place,
/// why a value was refused.
#[component]
pub fn Text(props: &TextProps) -> Html {
    let error = use_state(|| None::<String>);
    let onchange = {
        let cb = props.on_change.clone();
        let error = error.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            error.set(cb.emit(value));
        })
    };
    let class = classes!(
        "field",
        props.wide.then_some("wide"),
        error.is_some().then_some("invalid")
    );
    html! {
        <label {class}>
            <span class="field-label">{ &props.label }</span>
            <input
                type="text"
                inputmode={props.numeric.then_some("decimal")}
                value={props.value.clone()}
                aria-invalid={error.is_some().then_some("true")}
                {onchange} />
            if let Some(message) = &*error {
                <span class="field-error" role="alert">{ message }</span>
            }
        </label>
    }
}

#[derive(Properties, PartialEq)]
pub struct CheckProps {
    pub label: AttrValue,
    pub checked: bool,
    pub on_change: Callback<bool>,
}

#[component]
pub fn Check(props: &CheckProps) -> Html {
    let onchange = {
        let cb = props.on_change.clone();
        Callback::from(move |e: Event| {
            cb.emit(e.target_unchecked_into::<HtmlInputElement>().checked())
        })
    };
    html! {
        <label class="field check">
            <input type="checkbox" checked={props.checked} {onchange} />
            <span class="field-label">{ &props.label }</span>
        </label>
    }
}
