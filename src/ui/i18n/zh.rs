//! 简体中文：界面文字与事件句子。

use super::Text;
use crate::engine::event::*;
use crate::engine::exchange::DestinationKind;
use crate::sim::{ActorEventKind, Outcome};
use crate::ui::describe::Say;

pub static TEXT: Text = Text {
    document_failed: "无法打开这个场景",
    share_button: "分享 / 导出",
    dialog_title: "分享、导出、导入",
    share_link: "这个场景的链接",
    share_help: "链接在 # 片段中携带拓扑、生产者和工作者（不含消息），片段不会发送到服务器。",
    copy: "复制",
    export_json: "Warren 场景（JSON）",
    export_definitions: "RabbitMQ definitions.json（仅拓扑）",
    download: "下载",
    import_title: "打开场景或 definitions.json",
    import_help: "粘贴 Warren 场景或 RabbitMQ 的 definitions.json（管理界面导出的格式），或选择一个文件。它会替换当前的 broker。",
    import_file: "文件",
    import_open: "打开",
    vhost_pick: "虚拟主机",
    dialog_close: "关闭",
    embed_open: "在 Warren 中打开",
    store_embedded: "嵌入式播放器：不保存任何内容",
    tutorial_pick: "教程…",
    tutorial_label: "打开教程章节",
    lesson_chapter: "第 {n} 章",
    lesson_task_of: "任务 {i} / {n}",
    lesson_checks: "检查点",
    lesson_hint: "提示",
    lesson_more_hint: "再给一个提示",
    lesson_show_me: "演示给我看",
    lesson_reset: "重新开始",
    lesson_close: "关闭",
    lesson_read: "阅读本章",
    lesson_concepts: "指向一个术语，在图上看到它：",
    lesson_finished: "本章完成",
    lesson_next: "下一章",
    lesson_why: "为什么",
    lesson_tasks: "任务",
    lesson_progress: "已完成 {done}/{n}",
    show_me_failed_title: "演示已停止",
    show_me_failed_hint: "本章需要的某个对象已被删除。重新开始本章即可查看解法。",
    tab_list_queues: "list_queues",
    tab_code: "pika 代码",
    code_actions: "你的操作（pika 调用）",
    code_programs: "程序",
    code_setup: "setup.py：拓扑",
    code_none: "还没有内容：你搭建的东西会以 pika 代码显示在这里。",
    code_refused: "被 broker 拒绝",
    code_program_label: "程序",
    ack_auto: "自动确认",
    ack_auto_help: "auto_ack=True：代理发出消息的同时就忘掉它。若工作者在任务中途挂掉，任务就丢了。",
    ack_manual: "手动确认",
    ack_manual_help: "工作者完成后发送 basic.ack；若它先挂掉，消息会回到队列。",
    add_producer: "添加生产者",
    add_worker: "添加工作者",
    advance_1s: "+1 秒",
    advance_help: "让虚拟时间流逝一秒（其间到期的一切都会发生）",
    alternate_help: "alternate-exchange：没有任何绑定匹配的消息会转到这里，而不是被丢弃。",
    apply_worker: "按新设置重启",
    arg_delivery_limit: "仲裁队列：消息被重新投递超过此次数后进入死信。",
    arg_dlrk: "死信消息使用的路由键（默认沿用原路由键）。",
    arg_dlx: "被拒绝、过期或溢出的消息会发往这个交换机。",
    arg_expires: "队列闲置这么多毫秒后被删除。",
    arg_max_length: "最多这么多条就绪消息。",
    arg_max_length_bytes: "就绪消息体最多这么多字节。",
    arg_max_priority: "设为优先级队列，级别 0…N。",
    arg_message_ttl: "消息在队列中停留这么多毫秒后过期。",
    arg_overflow: "队列满时的做法：丢弃最旧的（默认）或拒收新消息。",
    arg_queue_type: "classic、quorum 或 stream（后两种必须持久化）。",
    arg_sac: "只有一个消费者接收消息，其余作为备用等待。",
    aria_exchange: "交换机 {name}，类型 {type}",
    aria_producer: "生产者 {name}，已发送 {n} 条",
    aria_queue: "队列 {name}：{ready} 条就绪，{unacked} 条未确认，{consumers} 个消费者",
    aria_worker: "工作者 {name}，{state}，{unacked} 条未确认",
    bind: "绑定",
    binding_args_help: "用于 headers 交换机：x-match=all 或 any，再逐行写 key=value。",
    binding_intro: "绑定告诉交换机哪些队列（或交换机）想要哪些消息。提示：从交换机的 + 手柄拖到队列上即可绑定。",
    binding_key_direct_help: "direct：消息的路由键与此键相等时投到这里。",
    binding_key_fanout_help: "fanout 忽略键：每个绑定的队列都得到一份副本。",
    binding_key_headers_help: "headers 交换机忽略键，请使用下面的参数。",
    binding_key_topic_help: "topic：以点分隔的单词；* 匹配恰好一个词，# 匹配零个或多个词。",
    bindings_n: "绑定（{n}）",
    body_help: "任意文本。课程中的工作者每遇到一个 '.' 就工作一秒，所以 “Task ...” 需要 3 秒。",
    broker_title: "代理（Broker）",
    build_title: "搭建",
    cancel_consumer: "取消消费",
    cat_broker: "代理",
    cat_client: "客户端",
    cat_dead: "死信",
    cat_deliver: "投递",
    cat_error: "错误",
    cat_publish: "发布",
    cat_store: "磁盘",
    cat_settle: "确认/拒绝",
    cat_topology: "拓扑",
    cat_worker: "工作者",
    channel_closed_short: "信道关闭",
    channel_is_closed: "信道已关闭：客户端不会发送任何内容。",
    client_refused: "客户端拒绝发送",
    close_inspector: "关闭检查器",
    confirm_counts: "{ack} 条已确认 · {nack} 条被拒 · {pending} 条待定",
    confirm_help: "confirm.select：代理对每次发布在接手后回送确认。",
    confirms: "发布确认",
    connection_is_closed: "连接已关闭：客户端不会发送任何内容。",
    consumer_tag: "消费者标签",
    consumers: "消费者",
    controls: "播放控制",
    crash: "崩溃",
    crash_help: "崩溃：代理立即停止。重启后持久化队列和持久化消息会恢复，其余全部丢失。",
    declare_again: "再次声明…",
    declare_exchange: "声明交换机",
    declare_queue: "声明队列",
    default_exchange: "（AMQP 默认）",
    default_exchange_help: "默认交换机把消息路由到与路由键同名的队列。每个队列都隐式绑定到它。",
    delete: "删除",
    depth_chart: "队列深度变化",
    diagram: "拓扑图",
    dismiss: "关闭",
    done: "已完成",
    drag_hint: "拖动节点（或 Alt+方向键）可重新排列 · 把交换机的 + 拖到队列上即可绑定",
    dropped_short: "无路由，已丢弃",
    edit: "编辑",
    empty_help: "用左侧的表单搭建课程中的程序，或从表单上方的菜单载入一课。",
    empty_step1: "声明一个队列，例如 task_queue（持久化）。",
    empty_step2: "添加一个向它发布消息的生产者，以及一两个从它消费的工作者。",
    empty_step3: "发布消息，然后按空格键逐步查看每一次投递。",
    empty_title: "这里还什么都没有",
    every_label: "间隔（毫秒）",
    exchange_auto_delete_help: "最后一个绑定被移除时删除。",
    exchange_durable_help: "代理重启后依然存在。",
    exchange_gone: "交换机 '{name}' 不存在（或已删除）。",
    exchange_internal_help: "生产者不能直接向它发布，只有其他交换机能路由到它。",
    exchange_intro: "生产者把消息发布到交换机，交换机再把副本路由到绑定的队列。",
    expiration_help: "单条消息的 TTL，单位毫秒（expiration 属性）。",
    expired_short: "已过期",
    f_ack_mode: "确认方式",
    f_alternate: "备用交换机",
    f_arguments: "参数（x-…）",
    f_auto_delete: "自动删除",
    f_binding_args: "参数",
    f_binding_key: "绑定键",
    f_body: "消息体",
    f_confirm: "发布确认",
    f_dest_kind: "目标类型",
    f_destination: "目标",
    f_durable: "持久化",
    f_exchange: "交换机",
    f_exclusive: "排他",
    f_expiration: "过期时间（毫秒）",
    f_headers: "消息头",
    f_internal: "内部",
    f_mandatory: "mandatory",
    f_ms: "毫秒",
    f_ms_per_dot: "每个 '.' 的毫秒数",
    f_name: "名称",
    f_on_done: "完成后",
    f_consumes: "消费来源",
    source_queue: "已命名的队列",
    source_subscribe: "自己的队列，绑定到交换机",
    source_queue_help: "和 worker.py 一样：在已存在的队列上 basic_consume。",
    source_subscribe_help: "和 receive_logs.py 一样：queue_declare(queue='', exclusive=True)，再用每个键绑定到交换机；工作者退出时队列随之删除。",
    f_sub_keys: "绑定键",
    sub_keys_help: "用逗号分隔（ja, error）。留空：以空键绑定一次，fanout 就需要这样。",
    f_reply: "回复 RPC 请求",
    reply_help: "和 rpc_server.py 一样：把 fib(n) 连同 correlation_id 发到请求的 reply_to，然后确认。",
    f_rpc: "RPC 客户端",
    rpc_help: "和 rpc_client.py 一样：一个排他的回调队列；每个请求都带 reply_to 和新的 correlation_id。",
    f_persistent: "持久化消息（delivery_mode 2）",
    f_prefetch: "预取数量",
    f_priority: "优先级",
    f_properties: "更多属性",
    f_queue: "队列",
    f_routing_key: "路由键",
    f_source: "源交换机",
    f_type: "类型",
    f_work: "工作时长",
    filter_kinds: "显示的类别",
    flag_auto_delete: "自动删除",
    flag_auto_delete_short: "自删",
    flag_durable: "持久化",
    flag_durable_short: "持久",
    flag_exclusive_short: "排他",
    flag_internal: "内部",
    go_to_step: "跳到这一步",
    gone: "它不存在（或已删除）。",
    headers_help: "每行一个 key=value（数字会成为整数，加引号则保持文本）。",
    hint_access_refused: "这个交换机拒绝该操作：系统交换机不能删除，内部交换机不能直接发布。",
    hint_locked: "另一个连接把这个队列声明为排他：只有它能使用该队列。",
    hint_not_found: "不存在这个名字的对象：请先声明它。",
    hint_redeclare: "RabbitMQ 从不修改已存在的队列或交换机：用不同的属性再次声明会失败并关闭信道。请换一个新名字（就像课程中改用 task_queue 那样），或先删除它。",
    hv_different: "不相等",
    hv_equal: "相等",
    hv_missing: "缺失",
    hv_nothing_all: "无可比较的键：x-match=all 视为匹配",
    hv_nothing_any: "无可比较的键：x-match=any 视为不匹配",
    hv_present: "存在",
    idle: "空闲",
    idle_help: "没有任何待办：发布一条消息、添加一个工作者，或让时间流逝。",
    idle_title: "无事可做",
    implicit_binding: "键 = {key}",
    in_hand: "正在处理",
    inspector_empty: "在拓扑图上选择生产者、交换机、队列或工作者（或队列中的某条消息），即可查看它的全部细节。",
    inspector_title: "检查器",
    journey: "消息历程",
    kill: "杀死",
    kill_help: "杀死：工作者进程终止，连接关闭，它尚未确认的所有消息都回到队列，并被标记为 redelivered（重新投递）。",
    kind_exchange: "交换机",
    kind_exchange_caps: "交换机",
    kind_message: "消息",
    kind_producer: "生产者",
    kind_producer_caps: "生产者",
    kind_queue: "队列",
    kind_queue_caps: "队列",
    kind_worker: "工作者",
    kind_worker_caps: "工作者",
    language: "语言",
    legend: "图例",
    legend_implicit: "默认交换机路由",
    legend_ready: "就绪",
    legend_unacked: "未确认",
    lesson_direct: "路由（direct）",
    lesson_fanout: "发布/订阅（fanout）",
    lesson_hello: "Hello World",
    lesson_topic: "主题（topic）",
    lesson_work: "工作队列",
    load_lesson: "载入一课…",
    log_empty: "没有可显示的事件。",
    log_title: "事件日志",
    mandatory_help: "没有队列接收时，把消息退回给生产者。",
    matches: "匹配",
    n_requeued: "{n} 条重新入队",
    new_instead: "新建",
    no: "否",
    no_bindings: "没有绑定：发布到这里的消息无处可去。",
    no_consumers: "没有消费者。",
    no_match: "不匹配",
    no_queues: "没有队列。",
    no_ready: "没有就绪消息。",
    no_task: "无。",
    none: "无。",
    on_ack: "确认（basic.ack）",
    on_done_help: "手动确认的工作者处理完一条消息后做什么。",
    on_forget: "忘记确认",
    on_nack: "nack，不重新入队",
    on_nack_requeue: "nack 并重新入队",
    on_reject: "reject，不重新入队",
    on_reject_requeue: "reject 并重新入队",
    only_selected: "只看选中的对象",
    out_messages_n: "投递中（{n}）",
    overflowed_short: "队列已满，已丢弃",
    page_title: "Warren — RabbitMQ 模拟器",
    pause: "暂停",
    pause_worker: "暂停",
    per_second: "每秒 {n} 步",
    persistent_help: "保存在持久化队列中，代理重启后依然存在。",
    play: "播放",
    port_help: "拖到队列或交换机上进行绑定",
    prefetch_help: "basic.qos prefetch_count：同时最多这么多条未确认消息（0 = 不限）。设为 1 即公平分发。",
    prefetched_n: "另有 {n} 条已投递、在等待（预取）。",
    priority_help: "0–255；只有优先级队列（x-max-priority）会使用。",
    producer_exchange_help: "留空 = 默认交换机，它把消息路由到与路由键同名的队列。",
    producer_intro: "生产者就像 new_task.py 这样的程序：它带着路由键把消息发布到交换机。",
    profile: "版本配置",
    profile_help: "代理模拟的是哪个 RabbitMQ 版本的行为（重置时选择）",
    progress: "工作进度",
    publish_n: "发布 N 条",
    publish_n_label: "N",
    publish_once: "发布",
    publishing_every: "每隔 {t}（虚拟时间）发布一次。",
    purge: "清空",
    queue_auto_delete_help: "最后一个消费者离开时删除。",
    queue_counts: "{ready} 就绪 · {unacked} 未确认",
    queue_durable_help: "队列在代理重启后依然存在（其中的持久化消息也一样）。",
    queue_exclusive_help: "只有本工作台的连接可以使用；该连接关闭时删除。",
    queue_gone: "队列 '{name}' 不存在（或已删除）。",
    queue_intro: "队列保存消息，直到消费者取走并确认它们。",
    queue_name_help: "留空则由服务器命名（amq.gen-…）。",
    ready_messages: "就绪消息",
    ready_messages_n: "就绪消息（{n}）",
    reconnect: "重新连接",
    redeclare_note: "用不同的属性再次声明已存在的队列或交换机会失败，返回 406 PRECONDITION_FAILED，与 RabbitMQ 一致。",
    redelivered: "重新投递",
    remove: "移除",
    reset: "重置",
    reset_help: "重置：按所选版本配置创建一个全新的代理（时间线从头开始）。",
    reset_layout: "重置布局",
    restart: "重启",
    restart_help: "正常重启：先关闭所有连接（未确认的消息回到队列），再恢复持久化队列和持久化消息。",
    resume: "继续",
    returned: "被退回",
    returned_short: "退回给生产者",
    rewind_durable: "存储是持久的：不允许回退到重启或崩溃之前，因为存储里已经保存了之后的状态。",
    rewind_memory: "回退时时间线会精确重放一切（引擎是确定性的），重启和崩溃也不例外。",
    rewind_refused: "这次回退跨越了一次代理重启或崩溃，而持久化存储已经保存了之后的状态：无法如实显示之前的状态。",
    rewind_refused_title: "无法回退",
    routing_key_help: "使用默认交换机时：填写队列的名字。",
    save_producer: "保存修改",
    sent: "已发送",
    sent_n: "已发 {n}",
    server_named: "服务器命名",
    shortcuts: "空格 单步 · P 播放/暂停 · ← 后退",
    skip_to_diagram: "跳到拓扑图",
    speed: "速度",
    start_every: "开始",
    state: "状态",
    state_cancelled: "已取消",
    state_disconnected: "已断开",
    state_idle: "空闲",
    state_killed: "已杀死",
    state_paused: "已暂停",
    state_working: "工作中",
    step: "单步",
    step_back: "后退一步",
    step_of: "第 {pos} / {len} 步",
    stop: "停止",
    store: "存储",
    store_indexeddb: "IndexedDB",
    store_indexeddb_help: "已提交的持久化状态会复制到本浏览器的 IndexedDB：重新加载页面后，代理会从中启动。",
    store_memory: "内存",
    store_reason_opening: "正在打开 IndexedDB…",
    all_on_disk: "所有持久化变更都已写入磁盘：此刻崩溃不会丢失任何持久化数据。",
    unsaved_ops: "还有 {n} 项持久化变更尚未写入磁盘（下次提交时写入）：此刻崩溃会丢失它们。",
    resumed_title: "已恢复",
    resumed: "代理从 IndexedDB 启动：恢复了 {queues} 个持久化队列和 {messages} 条持久化消息。",
    store_failed: "存储",
    store_reason_unavailable: "此浏览器无法使用 IndexedDB（隐私模式或被阻止）",
    store_reason_locked: "另一个标签页正在使用代理 '{broker}'：本标签页不保存任何内容",
    store_locked_title: "未保存",
    store_locked: "代理 '{broker}' 已在另一个标签页或窗口中打开，保存的数据归那个标签页所有。本标签页只在内存中运行、不保存任何内容，这样两个标签页谁也不会覆盖对方的数据——正如 RabbitMQ 的第二个节点不会使用另一个节点正在占用的数据目录。",
    store_wait: "等另一个标签页释放后打开",
    store_waiting: "正在等待另一个标签页释放代理 '{broker}'：那个标签页一关闭，就会在这里打开。",
    store_take_over: "接管",
    store_take_over_help: "另一个标签页会停止保存并说明原因；本标签页随后从已保存的数据重新加载代理（在这里所做的操作会被替换）。",
    store_other_name: "或者使用另一个代理：",
    store_name_label: "代理名称",
    store_open_name: "打开",
    store_lost_title: "本标签页已停止保存",
    store_lost: "另一个标签页接管了代理 '{broker}'（或更改了它的数据库）：本标签页不再保存任何内容，因此不会覆盖那个标签页的数据。重新加载即可在这里再次打开该代理。",
    store_reload: "重新加载",
    tab_binding: "绑定",
    tab_exchange: "交换机",
    tab_producer: "生产者",
    tab_queue: "队列",
    tab_worker: "工作者",
    table_title: "list_queues",
    tagline: "RabbitMQ 模拟器",
    task_progress: "{done} / {total} · 投递标签 {tag}",
    timeline: "时间线",
    to_start: "回到开头",
    topic_count_exact: "路由键有 {n} 个词，但绑定键恰好需要 {m} 个",
    topic_count_min: "路由键有 {n} 个词，但绑定键至少需要 {m} 个",
    topic_every_word: "每个词都匹配",
    topic_no_alignment: "这些词无法与模式对齐（# 匹配零个或多个词，* 恰好一个）",
    topic_word_differs: "第 {i} 个词：'{word}' 不是 '{pattern}'",
    topology: "拓扑",
    try_alternate: "没有绑定匹配：消息转到备用交换机 {ae}。",
    try_nothing: "没有绑定匹配：消息会被丢弃（若设置了 mandatory 则被退回）。",
    try_reaches: "它会到达：{queues}",
    try_title: "试一个路由键",
    type_direct: "direct（直连）",
    type_direct_help: "路由到绑定键与路由键相等的绑定。",
    type_fanout: "fanout（扇出）",
    type_fanout_help: "把每条消息复制给所有绑定的队列；忽略键。",
    type_headers: "headers（消息头）",
    type_headers_help: "按消息头路由（x-match all/any）；忽略键。",
    type_topic: "topic（主题）",
    type_topic_help: "按单词模式路由：* 一个词，# 零个或多个词。",
    unacked_n: "未确认的投递（{n}）",
    unbind: "解绑",
    unbind_aria: "解绑 {dest}（键 {key}）",
    unlimited: "不限",
    virtual_time: "t =",
    virtual_time_help: "模拟的虚拟时间（不是你的时钟）",
    why_direct_differs: "'{key}' 不是 '{pattern}'",
    why_direct_equal: "路由键等于绑定键",
    why_fanout: "fanout：每个绑定都匹配",
    work_fixed: "固定时长",
    work_per_dot: "每个 '.' 1 秒（课程）",
    work_per_dot_n: "每个 '.' {t}",
    worker_intro: "工作者就像 worker.py 这样的程序：它从队列消费，处理每条消息，然后确认（或不确认）。",
    worker_sub_idle: "{unacked} 未确认 · {done} 已完成",
    yes: "是",
};

fn x(name: &str) -> String {
    Say::exchange(name, "默认交换机")
}

fn err_text(e: &ErrorInfo) -> String {
    format!("{} {}", e.code, e.text)
}

fn queue_reason(r: QueueDeleteReason) -> &'static str {
    match r {
        QueueDeleteReason::Client => "queue.delete",
        QueueDeleteReason::AutoDelete => "自动删除：最后一个消费者离开了",
        QueueDeleteReason::OwnerClosed => "排他队列：它的连接关闭了",
        QueueDeleteReason::Expired => "x-expires：闲置太久",
        QueueDeleteReason::NotDurable => "非持久化：没能在重启后保留",
    }
}

fn requeue_reason(r: RequeueReason) -> &'static str {
    match r {
        RequeueReason::Nack => "被 nack 并要求重新入队",
        RequeueReason::Reject => "被 reject 并要求重新入队",
        RequeueReason::Recover => "basic.recover",
        RequeueReason::ChannelClosed => "确认之前信道就关闭了",
        RequeueReason::Restart => "确认之前代理重启了",
    }
}

fn death_reason(r: DeathReason) -> &'static str {
    match r {
        DeathReason::Rejected => "被拒绝且不重新入队",
        DeathReason::Expired => "TTL 到期",
        DeathReason::Maxlen => "队列超过了长度上限",
        DeathReason::DeliveryLimit => "退回次数超过 x-delivery-limit",
    }
}

fn skip(skipped: &[(std::rc::Rc<str>, SkipReason)]) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = skipped
        .iter()
        .map(|(tag, why)| match why {
            SkipReason::PrefetchLimit { prefetch } => format!("{tag}（已达预取上限 {prefetch}）"),
            SkipReason::ChannelPrefetchLimit { limit } => {
                format!("{tag}（已达信道预取上限 {limit}）")
            }
        })
        .collect();
    format!("；跳过了 {}", parts.join("、"))
}

fn args_text(a: &crate::engine::value::FieldTable) -> String {
    a.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("，")
}

fn queues<S: std::fmt::Display>(list: &[S]) -> String {
    list.iter()
        .map(|q| format!("'{q}'"))
        .collect::<Vec<_>>()
        .join("、")
}

/// 一条代理事件的句子。
pub fn event(kind: &EventKind, s: &Say) -> String {
    use EventKind::*;
    match kind {
        BrokerStarted {
            profile,
            recovered: false,
        } => format!("代理已启动（{profile}）。"),
        BrokerStarted {
            profile,
            recovered: true,
        } => format!("代理重新启动（{profile}），恢复了持久化的交换机、队列、绑定和持久化消息。"),
        BrokerStopped { graceful: true } => "代理正常停止：先关闭了所有连接。".into(),
        BrokerStopped { graceful: false } => "代理崩溃：立即停止。".into(),
        ConnectionOpened { conn, user, label } => {
            format!("{label} 打开了连接 {conn}（用户 '{user}'）。")
        }
        ConnectionClosed {
            conn,
            error: Some(e),
            ..
        } => format!("代理关闭了连接 {conn}：{}。", err_text(e)),
        ConnectionClosed {
            conn,
            by: Initiator::Broker,
            ..
        } => format!("代理关闭了连接 {conn}。"),
        ConnectionClosed { conn, .. } => format!("连接 {conn} 已关闭。"),
        ChannelOpened {
            channel, number, ..
        } => format!("{} 打开了信道 {number}。", s.chan(*channel)),
        ChannelClosed {
            channel,
            number,
            error,
            requeued,
            ..
        } => {
            let back = if *requeued > 0 {
                format!("；{requeued} 条未确认的消息回到了各自的队列")
            } else {
                String::new()
            };
            match error {
                Some(e) => format!(
                    "代理以 {} 关闭了 {} 的信道 {number}{back}。",
                    err_text(e),
                    s.chan(*channel)
                ),
                None => format!("{} 的信道 {number} 已关闭{back}。", s.chan(*channel)),
            }
        }
        MethodFailed {
            channel,
            method,
            error: e,
            ..
        } => format!("{} 调用 {method} 失败：{}。", s.chan(*channel), err_text(e)),
        ExchangeDeclared {
            name,
            exchange_type,
            durable,
            auto_delete,
            internal,
            arguments,
        } => {
            let mut f = vec![
                exchange_type.to_string(),
                if *durable {
                    "持久化".into()
                } else {
                    "非持久化".into()
                },
            ];
            if *auto_delete {
                f.push("自动删除".into());
            }
            if *internal {
                f.push("内部".into());
            }
            if !arguments.is_empty() {
                f.push(args_text(arguments));
            }
            format!("已声明交换机 '{name}'：{}。", f.join("，"))
        }
        ExchangeDeleted { name, reason } => format!(
            "交换机 '{name}' 已删除（{}）。",
            match reason {
                ExchangeDeleteReason::Client => "exchange.delete",
                ExchangeDeleteReason::AutoDelete => "自动删除：最后一个绑定被移除",
                ExchangeDeleteReason::NotDurable => "非持久化：没能在重启后保留",
            }
        ),
        QueueDeclared {
            name,
            durable,
            exclusive,
            auto_delete,
            arguments,
            server_named,
            ..
        } => {
            let mut f = vec![if *durable {
                "持久化".to_string()
            } else {
                "非持久化".to_string()
            }];
            if *exclusive {
                f.push("排他".into());
            }
            if *auto_delete {
                f.push("自动删除".into());
            }
            if !arguments.is_empty() {
                f.push(args_text(arguments));
            }
            format!(
                "已声明队列 '{name}'{}：{}。",
                if *server_named {
                    "（由服务器命名）"
                } else {
                    ""
                },
                f.join("，")
            )
        }
        QueueRedeclared { name, .. } => {
            format!("再次以相同属性声明队列 '{name}'：没有任何变化（声明是幂等的）。")
        }
        QueueDeleted {
            name,
            reason,
            messages_lost,
            ..
        } => format!(
            "队列 '{name}' 已删除（{}）；丢失 {messages_lost} 条就绪消息。",
            queue_reason(*reason)
        ),
        QueuePurged { name, count, .. } => {
            format!("队列 '{name}' 已清空：移除了 {count} 条就绪消息。")
        }
        BindingAdded {
            source,
            destination,
            destination_kind,
            key,
            arguments,
        } => format!(
            "已把{} '{destination}' 绑定到交换机 '{source}'，键 '{key}'{}。",
            if *destination_kind == DestinationKind::Queue {
                "队列"
            } else {
                "交换机"
            },
            if arguments.is_empty() {
                String::new()
            } else {
                format!("，参数 {}", args_text(arguments))
            }
        ),
        BindingRemoved {
            source,
            destination,
            destination_kind,
            key,
            reason,
            ..
        } => format!(
            "已解除{} '{destination}' 与交换机 '{source}' 的绑定（键 '{key}'{}）。",
            if *destination_kind == DestinationKind::Queue {
                "队列"
            } else {
                "交换机"
            },
            match reason {
                UnbindReason::Client => "",
                UnbindReason::EndDeleted => "；一端已被删除",
                UnbindReason::NotDurable => "；非持久化",
            }
        ),
        QosSet {
            channel,
            prefetch_count,
            global,
        } => format!(
            "{} 把预取数量设为 {}（{}）。",
            s.chan(*channel),
            if *prefetch_count == 0 {
                "不限".to_string()
            } else {
                prefetch_count.to_string()
            },
            if *global {
                "整个信道"
            } else {
                "每个消费者"
            }
        ),
        ConsumerAdded {
            tag,
            channel,
            queue_name,
            no_ack,
            prefetch,
            ..
        } => format!(
            "{} 开始从 '{queue_name}' 消费（{}，预取 {}），消费者标签 {tag}。",
            s.chan(*channel),
            if *no_ack {
                "自动确认"
            } else {
                "手动确认"
            },
            if *prefetch == 0 {
                "不限".to_string()
            } else {
                prefetch.to_string()
            }
        ),
        ConsumerCancelled {
            channel,
            queue_name,
            reason,
            ..
        } => format!(
            "{} 在 '{queue_name}' 上的消费者已停止（{}）。",
            s.chan(*channel),
            match reason {
                CancelReason::Client => "basic.cancel",
                CancelReason::QueueDeleted => "队列被删除",
                CancelReason::ChannelClosed => "信道关闭",
            }
        ),
        ConsumerActivated {
            tag, queue_name, ..
        } => format!("{tag} 现在是 '{queue_name}' 唯一的活跃消费者。"),
        Published {
            message,
            channel,
            mandatory,
            confirm_seq,
            in_tx,
        } => {
            let mut f = Vec::new();
            if message.is_persistent() {
                f.push("持久化".to_string());
            }
            if *mandatory {
                f.push("mandatory".into());
            }
            if let Some(seq) = confirm_seq {
                f.push(format!("确认序号 #{seq}"));
            }
            if *in_tx {
                f.push("在事务中".into());
            }
            format!(
                "{} 把 {} 发布到{}，路由键 '{}'{}。",
                s.chan(*channel),
                s.msg(message.id().0),
                x(&message.exchange),
                message.routing_key,
                if f.is_empty() {
                    String::new()
                } else {
                    format!("（{}）", f.join("，"))
                }
            )
        }
        Routed {
            message,
            exchange,
            trace,
            ..
        } => {
            let misses = if trace.missed_total > 0 {
                let first = trace
                    .missed
                    .first()
                    .map(|m| format!("（例如 '{}' → '{}'）", m.key, m.destination))
                    .unwrap_or_default();
                format!("；{} 个绑定不匹配{first}", trace.missed_total)
            } else {
                String::new()
            };
            let via = if trace.alternates.is_empty() {
                String::new()
            } else {
                format!("（经备用交换机 {}）", trace.alternates.join("、"))
            };
            if trace.queues.is_empty() {
                format!(
                    "{}没有把 {} 路由到任何队列{via}{misses}。",
                    x(exchange),
                    s.msg(message.0)
                )
            } else {
                format!(
                    "{}把 {} 路由到 {}{via}{misses}。",
                    x(exchange),
                    s.msg(message.0),
                    queues(&trace.queues)
                )
            }
        }
        Unroutable {
            message,
            exchange,
            routing_key,
            returned,
        } => format!(
            "没有队列接收 {}（交换机 {}，键 '{routing_key}'）：{}。",
            s.msg(message.0),
            x(exchange),
            if *returned {
                "它被退回给发布者（mandatory）"
            } else {
                "它被丢弃"
            }
        ),
        Returned {
            message,
            channel,
            reply_code,
            reply_text,
        } => format!(
            "{} 被退回给 {}：{reply_code} {reply_text}。",
            s.msg(message.id().0),
            s.chan(*channel)
        ),
        Enqueued {
            message,
            queue_name,
            ready,
            handoff,
            ..
        } => {
            if *handoff {
                format!(
                    "{} 进入 '{queue_name}'；有空闲的消费者，它会被直接交给对方。",
                    s.msg(message.0)
                )
            } else {
                format!(
                    "{} 进入 '{queue_name}'（{ready} 条就绪）。",
                    s.msg(message.0)
                )
            }
        }
        HandoffJoined {
            queue_name, count, ..
        } => format!("{count} 条等待已离开的消费者的消息加入了 '{queue_name}'。"),
        PublishRefused {
            message,
            queue_name,
            max_length,
            ..
        } => format!(
            "'{queue_name}' 已满{}，拒收了 {}（x-overflow reject-publish）。",
            max_length
                .map(|m| format!("（x-max-length {m}）"))
                .unwrap_or_default(),
            s.msg(message.0)
        ),
        Confirmed {
            channel,
            seq,
            multiple,
            ack,
        } => format!(
            "代理{}了发布 #{seq}{}，通知 {}。",
            if *ack { "确认" } else { "拒绝（nack）" },
            if *multiple {
                "及之前的所有发布"
            } else {
                ""
            },
            s.chan(*channel)
        ),
        Delivered {
            message,
            queue_name,
            channel,
            consumer,
            delivery_tag,
            redelivered,
            ack_required,
            skipped,
            message_count,
            ..
        } => {
            let how = if consumer.is_none() {
                format!("（basic.get，剩余 {} 条）", message_count.unwrap_or(0))
            } else {
                String::new()
            };
            format!(
                "'{queue_name}' 把 {} 投递给 {}{how}（投递标签 {delivery_tag}{}{}）{}。",
                s.msg(message.id().0),
                s.chan(*channel),
                if *redelivered { "，重新投递" } else { "" },
                if *ack_required {
                    ""
                } else {
                    "，自动确认：代理立即忘掉它"
                },
                skip(skipped)
            )
        }
        GetEmpty {
            channel,
            queue_name,
        } => format!(
            "{} 向 '{queue_name}' 取消息（basic.get）：队列为空。",
            s.chan(*channel)
        ),
        Acked {
            channel,
            delivery_tag,
            message,
            queue_name,
        } => format!(
            "{} 确认了 {}（标签 {delivery_tag}）：'{queue_name}' 删除它。",
            s.chan(*channel),
            s.msg(message.0)
        ),
        Rejected {
            channel,
            delivery_tag,
            message,
            queue_name,
            requeue,
            nack,
        } => format!(
            "{} {}了 {}（标签 {delivery_tag}）{}。",
            s.chan(*channel),
            if *nack { "nack" } else { "拒绝" },
            s.msg(message.0),
            if *requeue {
                format!("：它回到 '{queue_name}'")
            } else {
                format!("：它离开 '{queue_name}'")
            }
        ),
        Requeued {
            message,
            queue_name,
            reason,
            ..
        } => format!(
            "{} 回到 '{queue_name}' 的原位置（{}）；下次投递会标记为 redelivered。",
            s.msg(message.0),
            requeue_reason(*reason)
        ),
        Expired {
            message,
            queue_name,
            ttl,
        } => format!(
            "{} 在 '{queue_name}' 的队首过期（{}）。",
            s.msg(message.0),
            match ttl {
                TtlSource::Queue { ttl_ms } => format!("队列的 x-message-ttl 为 {ttl_ms} 毫秒"),
                TtlSource::Message { expiration_ms } =>
                    format!("它的 expiration 为 {expiration_ms} 毫秒"),
            }
        ),
        Overflowed {
            message,
            queue_name,
            max_length,
            max_length_bytes,
        } => format!(
            "'{queue_name}' 超过上限（{}）：{} 被从队首丢弃。",
            match (max_length, max_length_bytes) {
                (Some(m), _) => format!("x-max-length {m}"),
                (None, Some(b)) => format!("x-max-length-bytes {b}"),
                _ => "长度上限".into(),
            },
            s.msg(message.0)
        ),
        MessageDead {
            message,
            queue_name,
            reason,
            fate,
        } => match fate {
            DeadFate::Dropped => format!(
                "{} 在 '{queue_name}' 中死亡（{}）并消失：队列没有死信交换机。",
                s.msg(message.0),
                death_reason(*reason)
            ),
            DeadFate::DlxMissing { dlx } => format!(
                "{} 在 '{queue_name}' 中死亡（{}）；死信交换机 '{dlx}' 不存在，所以它消失了。",
                s.msg(message.0),
                death_reason(*reason)
            ),
            DeadFate::DeadLettered {
                dlx,
                queues: qs,
                cycle_dropped,
                ..
            } => format!(
                "{} 在 '{queue_name}' 中死亡（{}），被转发到死信交换机 '{dlx}' → {}{}。",
                s.msg(message.0),
                death_reason(*reason),
                if qs.is_empty() {
                    "没有队列".to_string()
                } else {
                    queues(qs)
                },
                if cycle_dropped.is_empty() {
                    String::new()
                } else {
                    format!("（{} 因死信循环被丢弃）", cycle_dropped.join("、"))
                }
            ),
        },
        ConfirmPending {
            channel,
            seq,
            batch,
        } => format!(
            "{} 的发布 #{seq} 的确认要等批次 {batch} 写入磁盘。",
            s.chan(*channel)
        ),
        BatchSealed { batch, ops } => {
            format!("批次 {batch}（{ops} 项持久化变更）已封存，等待写入。")
        }
        BatchCommitted { batch } => {
            format!("批次 {batch} 已写入磁盘：其中的变更在崩溃后也能保留。")
        }
        BatchFailed { batch, reason } => {
            format!("存储无法写入批次 {batch}（{reason}）：其中的变更都不是持久的。")
        }
        TxCommitted {
            channel,
            publishes,
            acks,
        } => format!(
            "{} 提交了事务（{publishes} 次发布，{acks} 次确认）。",
            s.chan(*channel)
        ),
        TxRolledBack {
            channel,
            publishes,
            acks,
        } => format!(
            "{} 回滚了事务（{publishes} 次发布，{acks} 次确认）。",
            s.chan(*channel)
        ),
        ConfirmSelected { channel } => format!("{} 开启了发布确认。", s.chan(*channel)),
        TxSelected { channel } => format!("{} 开始使用事务。", s.chan(*channel)),
    }
}

/// 一条生产者或工作者事件的句子。
pub fn actor_event(kind: &ActorEventKind, s: &Say) -> String {
    use ActorEventKind::*;
    match kind {
        WorkerStarted {
            worker,
            message,
            redelivered,
            until,
            ..
        } => format!(
            "{} 开始处理 {}{}；预计在 t = {} 完成。",
            s.actor(*worker),
            s.msg(*message),
            if *redelivered {
                "（重新投递）"
            } else {
                ""
            },
            super::format_time(*until)
        ),
        WorkerFinished {
            worker,
            message,
            outcome,
            ..
        } => format!(
            "{} 处理完 {}，{}。",
            s.actor(*worker),
            s.msg(*message),
            match *outcome {
                Outcome::Acked => "并确认了它",
                Outcome::Forgot => "但忘了确认：它一直处于未确认状态",
                Outcome::Rejected { requeue: true } => "并拒绝了它（重新入队）",
                Outcome::Rejected { requeue: false } => "并拒绝了它",
                Outcome::Nacked { requeue: true } => "并 nack 了它（重新入队）",
                Outcome::Nacked { requeue: false } => "并 nack 了它",
                Outcome::Done => "无需确认（自动确认）",
            }
        ),
        WorkerPaused { worker } => format!("{} 已暂停：不再接新任务。", s.actor(*worker)),
        WorkerResumed { worker } => format!("{} 已继续。", s.actor(*worker)),
        WorkerKilled {
            worker,
            lost_in_hand,
        } => format!(
            "{} 被杀死，手上有 {lost_in_hand} 条消息：它的连接断开了。",
            s.actor(*worker)
        ),
        WorkerCancelled { worker } => format!(
            "{} 取消了消费者（basic.cancel）：不再接收新的投递。",
            s.actor(*worker)
        ),
        ProducerPublished {
            producer, message, ..
        } => format!("{} 发送了 {}。", s.actor(*producer), s.msg(*message)),
        ProducerFailed { producer, error } => format!("{} 发布失败：{error}。", s.actor(*producer)),
        ProducerStopped { producer } => format!("{} 停止了定时发布。", s.actor(*producer)),
        WorkerReplied {
            worker,
            message,
            reply_to,
            correlation_id,
        } => format!(
            "{} 把 {} 的结果发到了 '{reply_to}'{}。",
            s.actor(*worker),
            s.msg(*message),
            correlation_id
                .as_ref()
                .map(|c| format!("，correlation_id 为 '{c}'"))
                .unwrap_or_default()
        ),
        ProducerGotReply {
            producer,
            message,
            correlation_id,
            matched,
        } => format!(
            "{} 收到了回复 {}{}。",
            s.actor(*producer),
            s.msg(*message),
            match (correlation_id, matched) {
                (Some(c), true) => format!("，对应它的请求 '{c}'"),
                (Some(c), false) => format!("，但 '{c}' 不是它发出的请求：忽略"),
                (None, _) => "，没有 correlation_id：忽略".to_string(),
            }
        ),
    }
}
