//! The workbench's components, one per file.

pub mod app;
pub mod bench_hook;
pub mod binding_form;
pub mod broker_panel;
pub mod build_panel;
pub mod code_panel;
pub mod controls;
pub mod depth_chart;
pub mod diagram;
pub mod event_log;
pub mod exchange_form;
pub mod exchange_inspector;
pub mod fields;
pub mod header;
pub mod inspector;
pub mod lesson_panel;
pub mod message_inspector;
pub mod notice;
pub mod producer_form;
pub mod producer_inspector;
pub mod queue_form;
pub mod queue_inspector;
pub mod queue_table;
pub mod virtual_list;
pub mod worker_form;
pub mod worker_inspector;
