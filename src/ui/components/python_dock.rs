//! The workbench's hooks for the Python terminals (`ui/python.rs`,
//! `www/terminals.js`): the header's "Python" button, a chapter's "Run the
//! lesson's code", a task's "Run it" next to its pika line, and
//! [`PythonLink`], which keeps the terminals in step with the timeline on
//! screen. None of them loads anything until clicked.

use crate::ui::python::{self, Open};
use crate::ui::state::use_app;
use yew::prelude::*;

/// Renders nothing: after every render it tells the terminals (if they are
/// loaded) that the broker may have news, and which broker is on screen.
#[function_component(PythonLink)]
pub fn python_link() -> Html {
    let app = use_app();
    {
        let timeline = app.state.timeline.clone();
        let dispatch = app.dispatch.clone();
        use_effect_with(app.state.rev, move |_| {
            let replaced = python::attach(&timeline, &dispatch);
            python::after_render(replaced);
        });
    }
    use_effect_with(app.state.lang, |lang| python::set_lang(*lang));
    html! {}
}

/// The header's button that opens the terminals' drawer.
#[function_component(PythonButton)]
pub fn python_button() -> Html {
    let app = use_app();
    let t = app.t();
    let lang = app.state.lang;
    html! {
        <button type="button" class="btn small header-btn" id="python-open" title={t.py_button_help}
            onclick={Callback::from(move |_| python::open_terminals(lang, Open::Drawer))}>
            { t.py_button }
        </button>
    }
}

/// A chapter's "Run the lesson's code": terminals with its scripts.
#[derive(Properties, PartialEq)]
pub struct RunLessonProps {
    pub chapter: usize,
}

#[function_component(RunLessonCode)]
pub fn run_lesson_code(props: &RunLessonProps) -> Html {
    let app = use_app();
    let t = app.t();
    let lang = app.state.lang;
    let chapter = props.chapter;
    html! {
        <button type="button" class="btn small" id="lesson-run-code" title={t.py_run_lesson_help}
            onclick={Callback::from(move |_| python::open_terminals(lang, Open::Chapter(chapter)))}>
            { "▶ " }{ t.py_run_lesson }
        </button>
    }
}

/// "Run it" next to a task's pika line: a terminal with that code, wrapped
/// so it runs (connection and channel first, as the chapter's scripts do).
#[derive(Properties, PartialEq)]
pub struct RunLineProps {
    pub chapter: usize,
    pub code: String,
}

#[function_component(RunPikaLine)]
pub fn run_pika_line(props: &RunLineProps) -> Html {
    let app = use_app();
    let t = app.t();
    let lang = app.state.lang;
    let chapter = props.chapter;
    let code = props.code.clone();
    html! {
        <button type="button" class="btn ghost small" id="lesson-pika-run" title={t.py_run_line_help}
            onclick={Callback::from(move |_| python::open_terminals(lang, Open::Line { chapter, code: code.clone() }))}>
            { "▶ " }{ t.py_run_line }
        </button>
    }
}
