//! The tutorial: a chapter picker for the header, and the open chapter's
//! panel — its explanation, the current task with its checkpoints (ticked
//! from the engine's state, see `tutorial::check`), hints, "show me", and
//! the tasks done so far with why they behaved so.

use crate::document::Language;
use crate::tutorial::{paragraphs, runs, Run, Text};
use crate::ui::i18n::{fill, Lang};
use crate::ui::lesson::{chapters, request_chapter};
use crate::ui::state::{use_app, Action};
use std::rc::Rc;
use yew::prelude::*;

fn language(lang: Lang) -> Language {
    match lang {
        Lang::En => Language::En,
        Lang::Zh => Language::Zh,
    }
}

fn run_html(kind: Run, text: &str) -> Html {
    let text = text.to_string();
    match kind {
        Run::Code => html! { <code>{ text }</code> },
        Run::Em => html! { <em>{ text }</em> },
        Run::Plain => html! { { text } },
    }
}

/// Prose with `code` and *emphasis* runs, every run a text node.
pub fn prose(text: &str) -> Html {
    html! {
        { for paragraphs(text).into_iter().map(|line| html! {
            <p>{ for line.into_iter().map(|(kind, run)| run_html(kind, run)) }</p>
        }) }
    }
}

/// One line of prose (goals, labels), no paragraphs.
fn inline(text: &str) -> Html {
    html! { { for runs(text).into_iter().map(|(kind, run)| run_html(kind, run)) } }
}

/// The header's chapter picker.
#[function_component(ChapterPicker)]
pub fn chapter_picker() -> Html {
    let app = use_app();
    let t = app.t();
    let lang = language(app.state.lang);
    // The chapter being fetched shows as chosen until it opens or fails.
    let current = app
        .state
        .chapter_loading
        .or(app.state.lesson.as_ref().map(|l| l.index));
    let progress = app.state.progress.clone();
    let onchange = {
        let d = app.dispatch.clone();
        Callback::from(move |e: Event| {
            let select = e.target_unchecked_into::<web_sys::HtmlSelectElement>();
            if let Ok(n) = select.value().parse::<usize>() {
                request_chapter(n, d.clone());
            }
        })
    };
    html! {
        <label class="chapter-pick">
            <span class="sr-only">{ t.tutorial_label }</span>
            <select id="chapter-select" {onchange} aria-label={t.tutorial_label}>
                <option value="" selected={current.is_none()}>{ t.tutorial_pick }</option>
                { for chapters().iter().enumerate().map(|(i, c)| {
                    let done = progress.done(&c.id);
                    let mark = if done >= c.tasks { " ✓" } else { "" };
                    html! {
                        <option value={i.to_string()} selected={current == Some(i)}>
                            { format!("{}. {}{mark}", c.number, c.title.get(lang)) }
                        </option>
                    }
                }) }
            </select>
        </label>
    }
}

#[function_component(LessonPanel)]
pub fn lesson_panel() -> Html {
    let app = use_app();
    let t = app.t();
    if let Some(index) = app.state.chapter_loading {
        let number = chapters().get(index).map_or(index as u32, |c| c.number);
        return html! {
            <section class="panel lesson loading" id="lesson-loading" aria-busy="true">
                <p class="muted" role="status">{ fill(t.lesson_loading, &[("n", &number.to_string())]) }</p>
            </section>
        };
    }
    let Some(lesson) = app.state.lesson.clone() else {
        return html! {};
    };
    let lang = language(app.state.lang);
    let get = |x: &Text| x.get(lang).to_string();
    let chapter = &lesson.chapter;
    let tracker = &lesson.tracker;
    let total = chapter.tasks.len();
    let finished = tracker.task >= total;

    let concepts = (!chapter.concepts.is_empty()).then(|| {
        html! {
            <div class="concepts">
                <p class="muted">{ t.lesson_concepts }</p>
                <ul>
                    { for chapter.concepts.iter().map(|c| {
                        let point: Option<Rc<str>> = c.point.as_deref().map(Rc::from);
                        let enter = { let p = point.clone(); app.callback(move |_: MouseEvent| Action::Point(p.clone())) };
                        let focus = { let p = point.clone(); app.callback(move |_: FocusEvent| Action::Point(p.clone())) };
                        let leave = app.callback(|_: MouseEvent| Action::Point(None));
                        let blur = app.callback(|_: FocusEvent| Action::Point(None));
                        html! {
                            <li class="concept" tabindex="0" onmouseenter={enter} onmouseleave={leave} onfocus={focus} onblur={blur}
                                data-point={c.point.clone().unwrap_or_default()}>
                                <strong>{ get(&c.term) }</strong>{ " — " }{ inline(c.text.get(lang)) }
                            </li>
                        }
                    }) }
                </ul>
            </div>
        }
    });

    // Chapter 0's bridge from the blog lessons: their words, RabbitMQ's.
    let bridge = chapter.bridge.as_ref().map(|b| {
        html! {
            <details class="bridge" id="lesson-bridge">
                <summary>{ get(&b.title) }</summary>
                if let Some(i) = &b.intro { { prose(i.get(lang)) } }
                <dl>
                    { for b.entries.iter().map(|e| html! {
                        <>
                            <dt>{ inline(e.term.get(lang)) }</dt>
                            <dd>{ prose(e.text.get(lang)) }</dd>
                        </>
                    }) }
                </dl>
            </details>
        }
    });

    let done_tasks = chapter.tasks.iter().enumerate().take(tracker.task.min(total)).map(|(i, task)| {
        let explain = (lesson.finished_last == Some(i))
            .then(|| task.explain.as_ref())
            .flatten();
        html! {
            <li class="task done" data-task={task.id.clone()}>
                <span class="tick" aria-hidden="true">{ "✓" }</span>
                <span>{ inline(task.goal.get(lang)) }</span>
                if let Some(x) = explain {
                    <div class="explain" role="note"><strong>{ t.lesson_why }{ ": " }</strong>{ prose(x.get(lang)) }</div>
                }
            </li>
        }
    });

    let current = chapter.tasks.get(tracker.task).map(|task| {
        let hints = task.hints.iter().take(lesson.hints).map(|h| html! {
            <li class="hint">{ inline(h.get(lang)) }</li>
        });
        let more_hints = lesson.hints < task.hints.len();
        html! {
            <div class="task current" id="lesson-task" data-task={task.id.clone()}>
                <p class="task-of">{ fill(t.lesson_task_of, &[("i", &(tracker.task + 1).to_string()), ("n", &total.to_string())]) }</p>
                <p class="goal" id="lesson-goal">{ inline(task.goal.get(lang)) }</p>
                if !task.pika.is_empty() {
                    <pre class="task-pika" id="lesson-pika" aria-label="pika"><code>{ task.pika.clone() }</code></pre>
                    <crate::ui::components::python_dock::RunPikaLine chapter={lesson.index} code={task.pika.clone()} />
                }
                <h4>{ t.lesson_checks }</h4>
                <ul class="checks" id="lesson-checks">
                    { for task.checks.iter().enumerate().map(|(i, c)| {
                        let ok = tracker.passed.get(i).copied().unwrap_or(false);
                        html! {
                            <li class={classes!("check", ok.then_some("ok"))} data-ok={ok.to_string()}>
                                <span class="tick" aria-hidden="true">{ if ok { "✓" } else { "○" } }</span>
                                <span>{ inline(c.label.get(lang)) }</span>
                            </li>
                        }
                    }) }
                </ul>
                if lesson.hints > 0 { <ul class="hints">{ for hints }</ul> }
                <div class="lesson-actions">
                    if more_hints {
                        <button type="button" class="btn ghost" id="lesson-hint" onclick={app.callback(|_| Action::NextHint)}>
                            { if lesson.hints == 0 { t.lesson_hint } else { t.lesson_more_hint } }
                        </button>
                    }
                    <button type="button" class="btn" id="lesson-show-me" onclick={app.callback(|_| Action::ShowMe)}>{ t.lesson_show_me }</button>
                </div>
            </div>
        }
    });

    let next_chapter = (lesson.index + 1 < chapters().len()).then(|| lesson.index + 1);
    html! {
        <section class="panel lesson" id="lesson" aria-label={get(&chapter.title)} data-chapter={chapter.id.clone()}
            data-task={tracker.task.to_string()} data-finished={finished.to_string()}>
            <div class="panel-head">
                <h2>
                    <span class="chapter-no">{ fill(t.lesson_chapter, &[("n", &chapter.number.to_string())]) }</span>
                    { get(&chapter.title) }
                </h2>
                <button type="button" class="btn ghost small" id="lesson-close" onclick={app.callback(|_| Action::CloseChapter)}>{ t.lesson_close }</button>
            </div>
            <details class="intro" open={tracker.task == 0 && !finished}>
                <summary>{ t.lesson_read }</summary>
                { prose(chapter.intro.get(lang)) }
                { for concepts }
            </details>
            { for bridge }
            <div class="lesson-run"><crate::ui::components::python_dock::RunLessonCode chapter={lesson.index} /></div>
            <h3 class="tasks-title">
                { t.lesson_tasks }
                <span class="muted">{ fill(t.lesson_progress, &[("done", &tracker.task.min(total).to_string()), ("n", &total.to_string())]) }</span>
            </h3>
            <ol class="tasks">{ for done_tasks }</ol>
            { for current }
            if finished {
                <div class="finished" id="lesson-finished" role="status">
                    <h4>{ t.lesson_finished }</h4>
                    if let Some(w) = &chapter.wrap_up { { prose(w.get(lang)) } }
                    if let Some(n) = next_chapter {
                        <button type="button" class="btn primary" id="lesson-next" onclick={let d = app.dispatch.clone(); Callback::from(move |_| request_chapter(n, d.clone()))}>{ t.lesson_next }</button>
                    }
                </div>
            }
            <div class="lesson-foot">
                <button type="button" class="btn ghost small" id="lesson-reset" onclick={app.callback(|_| Action::ResetChapter)}>{ t.lesson_reset }</button>
            </div>
        </section>
    }
}
