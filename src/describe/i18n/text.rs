//! Every label of the workbench: one line (or one entry) per string, the
//! English first and the Simplified Chinese second, so a string and its
//! translation are always edited together. `texts!` turns the list into
//! the [`Text`] struct (one field per string) and its two tables, checked
//! by the compiler: a missing translation does not build.

/// `name: "English", "中文";` … → `pub struct Text`, `EN` and `ZH`.
macro_rules! texts {
    ($($name:ident: $en:literal, $zh:literal;)*) => {
        /// Every label of the UI, one field per string.
        pub struct Text {
            $(pub $name: &'static str,)*
        }

        pub static EN: Text = Text { $($name: $en,)* };
        pub static ZH: Text = Text { $($name: $zh,)* };
    };
}

texts! {
    document_failed: "This scenario cannot be opened", "无法打开这个场景";
    share_button: "Share / export", "分享 / 导出";
    dialog_title: "Share, export, import", "分享、导出、导入";
    share_link: "Link to this setup", "这个场景的链接";
    share_help:
        "The link carries the topology, producers and workers (not the messages) in its #fragment, which never reaches a server.",
        "链接在 # 片段中携带拓扑、生产者和工作进程（不含消息），片段不会发送到服务器。";
    copy: "Copy", "复制";
    export_json: "Warren scenario (JSON)", "Warren 场景（JSON）";
    export_definitions:
        "RabbitMQ definitions.json (topology only)",
        "RabbitMQ definitions.json（仅拓扑）";
    download: "Download", "下载";
    import_title: "Open a scenario or definitions.json", "打开场景或 definitions.json";
    import_help:
        "Paste a Warren scenario or a RabbitMQ definitions.json (as the management UI exports it), or choose a file. It replaces the broker on screen.",
        "粘贴 Warren 场景或 RabbitMQ 的 definitions.json（管理界面导出的格式），或选择一个文件。它会替换当前的 broker。";
    import_file: "File", "文件";
    import_open: "Open", "打开";
    vhost_pick: "Virtual host", "虚拟主机";
    dialog_close: "Close", "关闭";
    embed_open: "Open in Warren", "在 Warren 中打开";
    store_embedded: "embedded player: nothing is stored", "嵌入式播放器：不保存任何内容";
    tutorial_pick: "Tutorial…", "教程…";
    tutorial_label: "Open a tutorial chapter", "打开教程章节";
    lesson_chapter: "Chapter {n}", "第 {n} 章";
    lesson_task_of: "Task {i} of {n}", "任务 {i} / {n}";
    lesson_checks: "Checkpoints", "检查点";
    lesson_hint: "Hint", "提示";
    lesson_more_hint: "Another hint", "再给一个提示";
    lesson_show_me: "Show me", "演示给我看";
    lesson_reset: "Start over", "重新开始";
    lesson_close: "Close", "关闭";
    lesson_loading: "Loading chapter {n}…", "正在加载第 {n} 章…";
    chapter_failed: "Chapter {n} cannot be opened", "无法打开第 {n} 章";
    chapter_missing:
        "There is no such chapter: choose one from the Tutorial menu.",
        "没有这一章：请从“教程”菜单中选择。";
    chapter_fetch_failed:
        "Its file could not be downloaded ({why}). Check the connection and choose the chapter again.",
        "无法下载本章文件（{why}）。请检查网络连接后重新选择本章。";
    chapter_damaged: "Its file is damaged ({why}).", "本章文件已损坏（{why}）。";
    lesson_read: "Read the chapter", "阅读本章";
    lesson_concepts: "Point at a term to see it on the diagram:", "指向一个术语，在图上看到它：";
    lesson_finished: "Chapter finished", "本章完成";
    lesson_next: "Next chapter", "下一章";
    lesson_why: "Why", "为什么";
    lesson_tasks: "Tasks", "任务";
    lesson_progress: "{done}/{n} done", "已完成 {done}/{n}";
    show_me_failed_title: "Show me stopped", "演示已停止";
    show_me_failed_hint:
        "Something the chapter needs was removed. Start the chapter over to see the solution.",
        "本章需要的某个对象已被删除。重新开始本章即可查看解法。";
    tab_list_queues: "list_queues", "list_queues";
    tab_code: "pika code", "pika 代码";
    code_actions: "Your actions, as pika calls", "你的操作（pika 调用）";
    code_programs: "Programs", "程序";
    code_setup: "setup.py: the topology", "setup.py：拓扑";
    code_none:
        "Nothing yet: what you build appears here as pika code.",
        "还没有内容：你搭建的东西会以 pika 代码显示在这里。";
    code_refused: "refused by the broker", "被 broker 拒绝";
    code_program_label: "Program", "程序";
    ack_auto: "auto-ack", "自动应答";
    ack_auto_help:
        "auto_ack=True: the broker forgets each message as it sends it. If the worker dies mid-task, the task is lost.",
        "auto_ack=True：代理发出消息的同时就忘掉它。若工作进程在任务中途挂掉，任务就丢了。";
    ack_manual: "manual ack", "手动应答";
    get_consumer:
        "an unacknowledged basic.get (a quorum queue counts it as a consumer)",
        "未应答的 basic.get（仲裁队列把它算作一个消费者）";
    ack_manual_help:
        "The worker sends basic.ack when done; if it dies first, the message goes back to the queue.",
        "工作进程完成后发送 basic.ack；若它先挂掉，消息会回到队列。";
    add_producer: "Add producer", "添加生产者";
    add_worker: "Add worker", "添加工作进程";
    advance_1s: "+1 s", "+1 秒";
    advance_help:
        "Let one second of virtual time pass (everything due in it happens)",
        "让虚拟时间流逝一秒（其间到期的一切都会发生）";
    alternate_help:
        "alternate-exchange: where messages that match no binding go instead of being dropped.",
        "alternate-exchange：没有任何绑定匹配的消息会转到这里，而不是被丢弃。";
    apply_worker: "Restart with these settings", "按新设置重启";
    arg_delivery_limit:
        "Quorum queues: dead-letter a message after this many redeliveries.",
        "仲裁队列：消息被重新投递超过此次数后进入死信。";
    arg_dlrk:
        "Routing key for dead-lettered messages (default: their own).",
        "死信消息使用的路由键（默认沿用原路由键）。";
    arg_dlx:
        "Exchange that receives messages that are rejected, expire or overflow.",
        "被拒绝、过期或溢出的消息会发往这个交换机。";
    arg_expires: "Delete the queue after it has been unused this many ms.", "队列闲置这么多毫秒后被删除。";
    arg_max_length: "At most this many ready messages.", "最多这么多条就绪消息。";
    arg_max_length_bytes: "At most this many bytes of ready message bodies.", "就绪消息体最多这么多字节。";
    arg_max_priority: "Make this a priority queue with levels 0…N.", "设为优先级队列，级别 0…N。";
    arg_message_ttl: "Messages expire after this many ms in the queue.", "消息在队列中停留这么多毫秒后过期。";
    arg_overflow:
        "What a full queue does: drop the oldest (default) or refuse new messages.",
        "队列满时的做法：丢弃最旧的（默认）或拒收新消息。";
    arg_queue_type:
        "classic, quorum or stream (quorum and stream must be durable).",
        "classic、quorum 或 stream（后两种必须持久化）。";
    arg_sac:
        "Only one consumer receives messages; the others wait as standbys.",
        "只有一个消费者接收消息，其余作为备用等待。";
    bottom_region: "Event log and tools", "事件日志与工具";
    announce_step: "Step {n}", "第 {n} 步";
    announce_more: "(and {n} more events)", "（还有 {n} 个事件）";
    diagram_as_text: "The diagram as a list", "拓扑图的文字版";
    diagram_text_nodes: "{n} objects; each lists where its messages go.", "共 {n} 个对象；每个对象列出它的消息去向。";
    edge_publish: "publishes to {to}", "发布到 {to}";
    edge_publish_key: "publishes to {to} with routing key '{key}'", "用路由键 '{key}' 发布到 {to}";
    edge_binding: "bound to {to}", "绑定到 {to}";
    edge_binding_key: "bound to {to} with key '{key}'", "用键 '{key}' 绑定到 {to}";
    edge_implicit: "routes key '{key}' to {to} (implicit binding)", "把路由键 '{key}' 路由到 {to}（隐式绑定）";
    edge_consume: "delivers to {to}", "投递给 {to}";
    edge_alternate: "unroutable messages go to the alternate exchange {to}", "无法路由的消息转到备用交换机 {to}";
    edge_dead_letter: "dead letters go to {to}", "死信转到 {to}";
    edge_none: "no outgoing connections", "没有向外的连接";
    bind: "Bind", "绑定";
    binding_args_help:
        "For headers exchanges: x-match=all or any, then key=value lines.",
        "用于 headers 交换机：x-match=all 或 any，再逐行写 key=value。";
    binding_intro:
        "A binding tells an exchange which queues (or exchanges) want which messages. Tip: drag from an exchange's + handle to a queue.",
        "绑定告诉交换机哪些队列（或交换机）想要哪些消息。提示：从交换机的 + 手柄拖到队列上即可绑定。";
    binding_key_direct_help:
        "Direct: a message goes here when its routing key equals this key.",
        "direct：消息的路由键与此键相等时投到这里。";
    binding_key_fanout_help:
        "Fanout ignores the key: every bound queue gets a copy.",
        "fanout 忽略键：每个绑定的队列都得到一份副本。";
    binding_key_headers_help:
        "Headers exchanges ignore the key; use the arguments below.",
        "headers 交换机忽略键，请使用下面的参数。";
    binding_key_topic_help:
        "Topic: dot-separated words; * matches exactly one word, # zero or more.",
        "topic：以点分隔的单词；* 匹配恰好一个词，# 匹配零个或多个词。";
    bindings_n: "Bindings ({n})", "绑定（{n}）";
    body_help:
        "Free text. A lesson worker works one second for each '.', so “Task ...” takes 3 s.",
        "任意文本。课程中的工作进程每遇到一个 '.' 就工作一秒，所以 “Task ...” 需要 3 秒。";
    broker_title: "Broker", "代理（Broker）";
    build_title: "Build", "搭建";
    cancel_consumer: "Cancel consumer", "取消消费";
    cat_broker: "broker", "代理";
    cat_client: "clients", "客户端";
    cat_dead: "dead", "死信";
    cat_deliver: "deliver", "投递";
    cat_error: "errors", "错误";
    cat_publish: "publish", "发布";
    cat_store: "disk", "磁盘";
    cat_settle: "ack/nack", "应答/拒绝";
    cat_topology: "topology", "拓扑";
    cat_worker: "workers", "工作进程";
    channel_closed_short: "channel closed", "信道关闭";
    channel_is_closed: "The channel is closed: the client sends nothing.", "信道已关闭：客户端不会发送任何内容。";
    client_refused: "refused by the client", "客户端拒绝发送";
    close_inspector: "Close the inspector", "关闭检查器";
    confirm_counts:
        "{ack} acked · {nack} nacked · {pending} pending",
        "{ack} 条已确认 · {nack} 条被拒 · {pending} 条待定";
    confirm_help:
        "confirm.select: the broker acks every publish once it has taken responsibility for it.",
        "confirm.select：代理对每次发布在接手后回送确认。";
    confirms: "Confirms", "发布确认";
    connection_is_closed:
        "The connection is closed: the client sends nothing.",
        "连接已关闭：客户端不会发送任何内容。";
    consumer_tag: "Consumer tag", "消费者标签";
    consumers: "consumers", "消费者";
    controls: "Playback", "播放控制";
    crash: "Crash", "崩溃";
    crash_help:
        "Crash: the broker stops at once. On boot, durable queues and persistent messages come back; everything else is lost.",
        "崩溃：代理立即停止。重启后持久化队列和持久化消息会恢复，其余全部丢失。";
    declare_again: "Declare again…", "再次声明…";
    declare_exchange: "Declare exchange", "声明交换机";
    declare_queue: "Declare queue", "声明队列";
    default_exchange: "(AMQP default)", "（AMQP 默认）";
    default_exchange_help:
        "The default exchange routes a message to the queue named by its routing key. Every queue is bound to it implicitly.",
        "默认交换机把消息路由到与路由键同名的队列。每个队列都隐式绑定到它。";
    delete: "Delete", "删除";
    depth_chart: "Depth over time", "队列深度变化";
    diagram: "Topology diagram", "拓扑图";
    dismiss: "Dismiss", "关闭";
    done: "Done", "已完成";
    drag_hint:
        "Drag nodes (or Alt+arrows) to rearrange · drag the background to pan, Ctrl+wheel or +/− to zoom · drag an exchange's + onto a queue to bind",
        "拖动节点（或 Alt+方向键）可重新排列 · 拖动背景可平移，Ctrl+滚轮或 +/− 可缩放 · 把交换机的 + 拖到队列上即可绑定";
    dropped_short: "dropped: no route", "无路由，已丢弃";
    edit: "Edit", "编辑";
    empty_help:
        "Build the lessons' programs with the forms on the left, or load a lesson from the menu above them.",
        "用左侧的表单搭建课程中的程序，或从表单上方的菜单载入一课。";
    empty_step1: "Declare a queue, e.g. task_queue (durable).", "声明一个队列，例如 task_queue（持久化）。";
    empty_step2:
        "Add a producer that publishes to it, and one or two workers that consume from it.",
        "添加一个向它发布消息的生产者，以及一两个从它消费的工作进程。";
    empty_step3: "Publish, then step through every delivery with Space.", "发布消息，然后按空格键逐步查看每一次投递。";
    empty_title: "Nothing here yet", "这里还什么都没有";
    every_label: "Every (ms)", "间隔（毫秒）";
    exchange_auto_delete_help: "Deleted when its last binding is removed.", "最后一个绑定被移除时删除。";
    exchange_durable_help: "Survives a broker restart.", "代理重启后依然存在。";
    exchange_gone: "Exchange '{name}' does not exist (any more).", "交换机 '{name}' 不存在（或已删除）。";
    exchange_internal_help:
        "Publishers cannot publish to it directly; only other exchanges can route to it.",
        "生产者不能直接向它发布，只有其他交换机能路由到它。";
    exchange_intro:
        "Producers publish to exchanges; exchanges route copies to the queues bound to them.",
        "生产者把消息发布到交换机，交换机再把副本路由到绑定的队列。";
    expiration_help:
        "Per-message TTL in ms (the expiration property).",
        "单条消息的 TTL，单位毫秒（expiration 属性）。";
    expired_short: "expired", "已过期";
    f_ack_mode: "Acknowledgement", "应答方式";
    f_alternate: "Alternate exchange", "备用交换机";
    f_arguments: "Arguments (x-…)", "参数（x-…）";
    f_auto_delete: "Auto-delete", "自动删除";
    f_binding_args: "Arguments", "参数";
    f_binding_key: "Binding key", "绑定键";
    f_body: "Body", "消息体";
    f_confirm: "Publisher confirms", "发布确认";
    f_dest_kind: "Destination kind", "目标类型";
    f_destination: "Destination", "目标";
    f_durable: "Durable", "持久化";
    f_exchange: "Exchange", "交换机";
    f_exclusive: "Exclusive", "排他";
    f_expiration: "Expiration (ms)", "过期时间（毫秒）";
    f_headers: "Headers", "消息头";
    f_internal: "Internal", "内部";
    f_mandatory: "Mandatory", "mandatory";
    f_ms: "Milliseconds", "毫秒";
    f_ms_per_dot: "ms per '.'", "每个 '.' 的毫秒数";
    f_name: "Name", "名称";
    f_on_done: "When done", "完成后";
    f_consumes: "Consumes from", "消费来源";
    f_consume_args: "Consumer arguments", "消费者参数";
    consume_args_help:
        "basic.consume arguments, one key=value a line: x-stream-offset=first (or next, last, an offset, or a time back from now such as 30s) for a stream.",
        "basic.consume 的参数，每行一个 key=value：读 stream 时写 x-stream-offset=first（或 next、last、某个偏移量，或从现在往前的一段时间，如 30s）。";
    source_queue: "a named queue", "已命名的队列";
    source_subscribe: "its own queue, bound to an exchange", "自己的队列，绑定到交换机";
    source_queue_help:
        "Like worker.py: basic_consume on a queue that exists.",
        "和 worker.py 一样：在已存在的队列上 basic_consume。";
    source_subscribe_help:
        "Like receive_logs.py: queue_declare(queue='', exclusive=True), bound to the exchange with each key; the queue goes away with the worker.",
        "和 receive_logs.py 一样：queue_declare(queue='', exclusive=True)，再用每个键绑定到交换机；工作进程退出时队列随之删除。";
    f_sub_keys: "Binding keys", "绑定键";
    sub_keys_help:
        "Separated by commas (ja, error). Empty: one binding with the empty key, as a fanout needs.",
        "用逗号分隔（ja, error）。留空：以空键绑定一次，fanout 就需要这样。";
    f_reply: "Answer RPC requests", "回复 RPC 请求";
    reply_help:
        "Like rpc_server.py: publish fib(n) to the request's reply_to with its correlation_id, then ack.",
        "和 rpc_server.py 一样：把 fib(n) 连同 correlation_id 发到请求的 reply_to，然后应答。";
    f_rpc: "RPC client", "RPC 客户端";
    rpc_help:
        "Like rpc_client.py: an exclusive callback queue; every request carries reply_to and a new correlation_id.",
        "和 rpc_client.py 一样：一个排他的回调队列；每个请求都带 reply_to 和新的 correlation_id。";
    f_persistent: "Persistent (delivery_mode 2)", "持久化消息（delivery_mode 2）";
    f_prefetch: "Prefetch", "预取数量";
    f_priority: "Priority", "优先级";
    f_properties: "More properties", "更多属性";
    f_queue: "Queue", "队列";
    f_routing_key: "Routing key", "路由键";
    f_source: "Source exchange", "源交换机";
    f_type: "Type", "类型";
    f_work: "Work time", "工作时长";
    filter_kinds: "Show kinds", "显示的类别";
    flag_auto_delete: "auto-delete", "自动删除";
    flag_auto_delete_short: "auto-del", "自删";
    flag_durable: "durable", "持久化";
    flag_durable_short: "durable", "持久";
    flag_exclusive_short: "excl.", "排他";
    flag_internal: "internal", "内部";
    go_to_step: "Go to this step", "跳到这一步";
    gone: "It does not exist (any more).", "它不存在（或已删除）。";
    headers_help:
        "One key=value a line (numbers become integers, quote to keep text).",
        "每行一个 key=value（数字会成为整数，加引号则保持文本）。";
    hint_access_refused:
        "This exchange refuses the operation: system exchanges cannot be deleted, internal ones cannot be published to.",
        "这个交换机拒绝该操作：系统交换机不能删除，内部交换机不能直接发布。";
    hint_locked:
        "Another connection declared this queue exclusive: only it may use the queue.",
        "另一个连接把这个队列声明为排他：只有它能使用该队列。";
    hint_not_found: "Nothing by that name exists: declare it first.", "不存在这个名字的对象：请先声明它。";
    hint_redeclare:
        "RabbitMQ never changes an existing queue or exchange: declaring it again with other properties fails and closes the channel. Use a new name (as the lesson does with task_queue) or delete it first.",
        "RabbitMQ 从不修改已存在的队列或交换机：用不同的属性再次声明会失败并关闭信道。请换一个新名字（就像课程中改用 task_queue 那样），或先删除它。";
    hv_different: "different", "不相等";
    hv_equal: "equal", "相等";
    hv_missing: "missing", "缺失";
    hv_nothing_all: "nothing to compare: x-match=all matches", "无可比较的键：x-match=all 视为匹配";
    hv_nothing_any: "nothing to compare: x-match=any does not match", "无可比较的键：x-match=any 视为不匹配";
    hv_present: "present", "存在";
    idle: "idle", "空闲";
    idle_help:
        "Nothing is scheduled: publish a message, add a worker or let time pass.",
        "没有任何待办：发布一条消息、添加一个工作进程，或让时间流逝。";
    idle_title: "Nothing to do", "无事可做";
    implicit_binding: "key = {key}", "键 = {key}";
    in_hand: "Working on", "正在处理";
    inspector_empty:
        "Select a producer, exchange, queue or worker on the diagram (or a message in a queue) to see everything about it.",
        "在拓扑图上选择生产者、交换机、队列或工作进程（或队列中的某条消息），即可查看它的全部细节。";
    inspector_title: "Inspector", "检查器";
    journey: "Journey", "消息历程";
    kill: "Kill", "杀死";
    kill_help:
        "Kill: the worker's process dies, its connection closes and every message it had not acked goes back to the queue, marked redelivered.",
        "杀死：工作进程终止，连接关闭，它尚未应答的所有消息都回到队列，并被标记为 redelivered（重新投递）。";
    kind_exchange: "exchange", "交换机";
    kind_exchange_caps: "EXCHANGE", "交换机";
    kind_message: "message", "消息";
    kind_producer: "producer", "生产者";
    kind_producer_caps: "PRODUCER", "生产者";
    kind_queue: "queue", "队列";
    kind_queue_caps: "QUEUE", "队列";
    kind_worker: "worker", "工作进程";
    kind_worker_caps: "WORKER", "工作进程";
    language: "Language", "语言";
    legend: "Legend", "图例";
    legend_implicit: "default-exchange route", "默认交换机路由";
    legend_ready: "ready", "就绪";
    legend_unacked: "unacked", "未应答";
    lesson_direct: "Routing (direct)", "路由（direct）";
    lesson_fanout: "Publish/Subscribe (fanout)", "发布/订阅（fanout）";
    lesson_hello: "Hello World", "Hello World";
    lesson_topic: "Topics", "主题（topic）";
    lesson_work: "Work queues", "工作队列";
    load_lesson: "Load a lesson…", "载入一课…";
    log_empty: "No events to show.", "没有可显示的事件。";
    log_title: "Event log", "事件日志";
    mandatory_help:
        "Return the message to the producer when no queue takes it.",
        "没有队列接收时，把消息退回给生产者。";
    matches: "matches", "匹配";
    n_requeued: "{n} requeued", "{n} 条重新入队";
    new_instead: "New", "新建";
    no: "no", "否";
    no_bindings: "No bindings: messages published here go nowhere.", "没有绑定：发布到这里的消息无处可去。";
    no_consumers: "No consumers.", "没有消费者。";
    no_match: "does not match", "不匹配";
    no_queues: "No queues.", "没有队列。";
    no_ready: "No ready messages.", "没有就绪消息。";
    no_task: "Nothing.", "无。";
    none: "None.", "无。";
    on_ack: "ack (basic.ack)", "应答（basic.ack）";
    on_done_help:
        "What a manual-ack worker does when it finishes a message.",
        "手动应答的工作进程处理完一条消息后做什么。";
    on_forget: "forget to ack", "忘记应答";
    on_nack: "nack, no requeue", "nack，不重新入队";
    on_nack_requeue: "nack with requeue", "nack 并重新入队";
    on_crash:
        "crash before the ack (the lesson's method.deliver_tag typo)",
        "应答前崩溃（课程里 method.deliver_tag 的笔误）";
    on_reject: "reject, no requeue", "reject，不重新入队";
    on_reject_requeue: "reject with requeue", "reject 并重新入队";
    only_selected: "Only the selected object", "只看选中的对象";
    out_messages_n: "Out for delivery ({n})", "投递中（{n}）";
    overflowed_short: "dropped: queue full", "队列已满，已丢弃";
    page_title: "Warren — a RabbitMQ simulator", "Warren — RabbitMQ 模拟器";
    pause: "Pause", "暂停";
    pause_worker: "Pause", "暂停";
    per_second: "{n} steps/s", "每秒 {n} 步";
    persistent_help:
        "Saved with a durable queue, it survives a broker restart.",
        "保存在持久化队列中，代理重启后依然存在。";
    play: "Play", "播放";
    port_help: "Drag onto a queue or exchange to bind", "拖到队列或交换机上进行绑定";
    prefetch_help:
        "basic.qos prefetch_count: at most this many unacked messages at a time (0 = unlimited). 1 gives fair dispatch.",
        "basic.qos prefetch_count：同时最多这么多条未应答消息（0 = 不限）。设为 1 即公平分发。";
    prefetched_n: "{n} more delivered and waiting (prefetched).", "另有 {n} 条已投递、在等待（预取）。";
    priority_help:
        "0–255; only priority queues (x-max-priority) use it.",
        "0–255；只有优先级队列（x-max-priority）会使用。";
    producer_exchange_help:
        "Empty = the default exchange, which routes to the queue named by the routing key.",
        "留空 = 默认交换机，它把消息路由到与路由键同名的队列。";
    producer_intro:
        "A producer is a program like new_task.py: it publishes messages to an exchange with a routing key.",
        "生产者就像 new_task.py 这样的程序：它带着路由键把消息发布到交换机。";
    profile: "Profile", "版本配置";
    profile_help:
        "Which RabbitMQ's behaviour the broker reproduces (chosen when it is reset)",
        "代理模拟的是哪个 RabbitMQ 版本的行为（重置时选择）";
    progress: "Work progress", "工作进度";
    publish_n: "Publish N", "发布 N 条";
    publish_n_label: "N", "N";
    publish_once: "Publish", "发布";
    publishing_every: "Publishing every {t} of virtual time.", "每隔 {t}（虚拟时间）发布一次。";
    purge: "Purge", "清空";
    // Python terminals (www/terminals.js; src/ui/python.rs hands these over).
    py_args: "Arguments", "参数";
    py_args_help: "sys.argv[1:], separated by spaces", "sys.argv[1:]，用空格分隔";
    py_broker_replaced:
        "The broker was replaced (a chapter, a reset or a setup): the Python processes were killed.",
        "broker 被替换了（换了章节、重置或载入了配置）：Python 进程已被结束。";
    py_button: "Python", "Python";
    py_button_help:
        "Terminals that run real Python and pika against this broker, on its virtual clock",
        "在这个 broker 上、按它的虚拟时钟运行真正的 Python 和 pika 的终端";
    py_close: "Close", "关闭";
    py_code: "Code of {name}", "{name} 的代码";
    py_console: "Output of {name}", "{name} 的输出";
    py_interrupt: "Ctrl-C", "Ctrl-C";
    py_interrupt_help:
        "Raises KeyboardInterrupt inside the script, so its except KeyboardInterrupt: runs",
        "在脚本里引发 KeyboardInterrupt，它的 except KeyboardInterrupt: 会执行";
    py_kill: "Kill", "结束进程";
    py_kill_help:
        "kill -9: the connection drops without a close, and unacked messages go back to their queues",
        "kill -9：连接不经关闭直接断开，未应答的消息回到队列";
    py_load_failed: "Python could not start: {why}", "Python 无法启动：{why}";
    py_loading: "Loading Python (Pyodide)…", "正在加载 Python（Pyodide）…";
    py_name: "File name", "文件名";
    py_new_terminal: "New terminal", "新建终端";
    py_pacing:
        "Python runs on the broker's virtual clock: Step or Play lets time pass (a sleep, a delivery).",
        "Python 按 broker 的虚拟时钟运行：单步或播放让时间流逝（sleep、投递）。";
    py_panel_title: "Python terminals", "Python 终端";
    py_ready: "Python ready ({ms} ms)", "Python 已就绪（{ms} 毫秒）";
    py_refused:
        "Python processes cannot be rewound: their state lives in CPython, not in the broker. Stop them (Ctrl-C or Kill), then step back: the broker's side, their bytes included, is replayed exactly.",
        "Python 进程无法回退：它们的状态在 CPython 里，不在 broker 里。先停止它们（Ctrl-C 或结束进程），再后退：broker 这一侧（包括它们发送的字节）会被精确重放。";
    py_refused_title: "Python is running", "Python 正在运行";
    py_remove: "Remove {name}", "移除 {name}";
    py_run: "Run", "运行";
    py_run_again: "Run again", "再次运行";
    py_run_lesson: "Run the lesson's code", "运行课程代码";
    py_run_lesson_help:
        "Opens terminals with this chapter's Python scripts (the lessons' own and RabbitMQ's tutorials), ready to run and edit",
        "打开终端并载入本章的 Python 脚本（课程原文和 RabbitMQ 官方教程），可以直接运行和修改";
    py_run_line: "Run it", "运行它";
    py_run_line_help:
        "Opens this code in a Python terminal, with the connection set up as the chapter's scripts do",
        "在 Python 终端里打开这段代码，并像本章的脚本那样建立连接";
    py_status_exit: "exited with status {code}", "已退出，状态码 {code}";
    py_status_idle: "not started", "未运行";
    py_status_killed: "killed", "已被结束";
    py_status_running: "running", "运行中";
    py_unsupported:
        "This browser cannot run Python here: it needs JavaScript Promise Integration (Chromium 137 or later). Everything else in Warren works.",
        "这个浏览器无法在这里运行 Python：需要 JavaScript Promise Integration（Chromium 137 或更新版本）。Warren 的其他功能都能正常使用。";
    queue_auto_delete_help: "Deleted when its last consumer goes away.", "最后一个消费者离开时删除。";
    queue_counts: "{ready} ready · {unacked} unacked", "{ready} 就绪 · {unacked} 未应答";
    queue_durable_help:
        "The queue survives a broker restart (its persistent messages too).",
        "队列在代理重启后依然存在（其中的持久化消息也一样）。";
    queue_exclusive_help:
        "Only this workbench's connection may use it; deleted when that connection closes.",
        "只有本工作台的连接可以使用；该连接关闭时删除。";
    queue_gone: "Queue '{name}' does not exist (any more).", "队列 '{name}' 不存在（或已删除）。";
    queue_intro:
        "Queues hold messages until a consumer takes and acknowledges them.",
        "队列保存消息，直到消费者取走并应答它们。";
    queue_name_help: "Leave empty for a server-named queue (amq.gen-…).", "留空则由服务器命名（amq.gen-…）。";
    ready_messages: "Ready messages", "就绪消息";
    ready_messages_n: "Ready messages ({n})", "就绪消息（{n}）";
    reconnect: "Reconnect", "重新连接";
    redeclare_note:
        "Declaring an existing queue or exchange with other properties fails with 406 PRECONDITION_FAILED, as in RabbitMQ.",
        "用不同的属性再次声明已存在的队列或交换机会失败，返回 406 PRECONDITION_FAILED，与 RabbitMQ 一致。";
    redelivered: "redelivered", "重新投递";
    remove: "Remove", "移除";
    reset: "Reset", "重置";
    reset_help:
        "Reset: a brand-new broker with the chosen profile (the timeline starts over).",
        "重置：按所选版本配置创建一个全新的代理（时间线从头开始）。";
    reset_layout: "Reset layout", "重置布局";
    zoom: "Zoom", "缩放";
    zoom_in: "Zoom in", "放大";
    zoom_out: "Zoom out", "缩小";
    zoom_fit: "Fit", "适应";
    zoom_fit_name: "Zoom to fit", "缩放以适应窗口";
    restart: "Restart", "重启";
    restart_help:
        "Graceful restart: connections close (unacked messages go back), then durable queues and persistent messages are recovered.",
        "正常重启：先关闭所有连接（未应答的消息回到队列），再恢复持久化队列和持久化消息。";
    resume: "Resume", "继续";
    returned: "Returned", "被退回";
    returned_short: "returned to producer", "退回给生产者";
    rewind_durable:
        "The store is durable: stepping back across a restart or crash is refused, because the store already holds what came after.",
        "存储是持久的：不允许回退到重启或崩溃之前，因为存储里已经保存了之后的状态。";
    rewind_memory:
        "Step back and the timeline replay everything exactly (the engine is deterministic), restarts and crashes included.",
        "回退时时间线会精确重放一切（引擎是确定性的），重启和崩溃也不例外。";
    rewind_refused:
        "This rewind crosses a broker restart or crash, and the durable store already holds what came after: the earlier state cannot be shown truthfully.",
        "这次回退跨越了一次代理重启或崩溃，而持久化存储已经保存了之后的状态：无法如实显示之前的状态。";
    rewind_refused_title: "Cannot rewind", "无法回退";
    routing_key_help: "With the default exchange: the name of the queue.", "使用默认交换机时：填写队列的名字。";
    save_producer: "Save changes", "保存修改";
    sent: "Sent", "已发送";
    sent_n: "{n} sent", "已发 {n}";
    server_named: "Server-named", "服务器命名";
    shortcuts: "Space step · P play/pause · ← back", "空格 单步 · P 播放/暂停 · ← 后退";
    skip_to_diagram: "Skip to the diagram", "跳到拓扑图";
    // The pane switch of narrow screens (a phone, a tablet, a small player):
    // one short word per panel, so six fit across a phone.
    pane_switch: "Panels", "面板";
    pane_diagram: "Diagram", "拓扑图";
    pane_lesson: "Lesson", "课程";
    pane_build: "Build", "搭建";
    pane_inspector: "Inspect", "检查";
    pane_log: "Log", "日志";
    pane_tools: "Tools", "工具";
    speed: "Speed", "速度";
    start_every: "Start", "开始";
    state: "State", "状态";
    state_cancelled: "cancelled", "已取消";
    state_disconnected: "disconnected", "已断开";
    state_idle: "idle", "空闲";
    state_killed: "killed", "已杀死";
    state_paused: "paused", "已暂停";
    state_working: "working", "工作中";
    step: "Step", "单步";
    step_back: "Step back", "后退一步";
    step_of: "step {pos} / {len}", "第 {pos} / {len} 步";
    stop: "Stop", "停止";
    store: "Store", "存储";
    store_indexeddb: "IndexedDB", "IndexedDB";
    store_indexeddb_help:
        "Committed durable state is copied to this browser's IndexedDB: reload the page and the broker boots from it.",
        "已提交的持久化状态会复制到本浏览器的 IndexedDB：重新加载页面后，代理会从中启动。";
    store_memory: "in memory", "内存";
    store_reason_opening: "opening IndexedDB…", "正在打开 IndexedDB…";
    all_on_disk:
        "Every durable change is on disk: a crash now loses nothing durable.",
        "所有持久化变更都已写入磁盘：此刻崩溃不会丢失任何持久化数据。";
    unsaved_ops:
        "{n} durable changes are not on disk yet (the next commit writes them): a crash now would lose them.",
        "还有 {n} 项持久化变更尚未写入磁盘（下次提交时写入）：此刻崩溃会丢失它们。";
    resumed_title: "Resumed", "已恢复";
    resumed:
        "The broker booted from IndexedDB; what came back — durable queues: {queues}, persistent messages: {messages}.",
        "代理从 IndexedDB 启动：恢复了 {queues} 个持久化队列和 {messages} 条持久化消息。";
    store_failed: "Store", "存储";
    store_reason_unavailable:
        "IndexedDB is not available in this browser (private mode or blocked)",
        "此浏览器无法使用 IndexedDB（隐私模式或被阻止）";
    store_reason_locked:
        "another tab owns broker '{broker}'; this tab saves nothing",
        "另一个标签页正在使用代理 '{broker}'：本标签页不保存任何内容";
    store_locked_title: "Not saving", "未保存";
    store_locked:
        "Broker '{broker}' is open in another tab or window, and that tab owns what is stored. This tab runs in memory and saves nothing, so neither tab can overwrite the other's work — just as a second RabbitMQ node refuses a data directory another node holds.",
        "代理 '{broker}' 已在另一个标签页或窗口中打开，保存的数据归那个标签页所有。本标签页只在内存中运行、不保存任何内容，这样两个标签页谁也不会覆盖对方的数据——正如 RabbitMQ 的第二个节点不会使用另一个节点正在占用的数据目录。";
    store_wait: "Open it when the other tab lets go", "等另一个标签页释放后打开";
    store_waiting:
        "Waiting for the other tab to let go of broker '{broker}'; it opens here as soon as that tab closes.",
        "正在等待另一个标签页释放代理 '{broker}'：那个标签页一关闭，就会在这里打开。";
    store_take_over: "Take it over", "接管";
    store_take_over_help:
        "The other tab stops saving and says why; this tab then reloads the broker from what was saved (what you did here meanwhile is replaced).",
        "另一个标签页会停止保存并说明原因；本标签页随后从已保存的数据重新加载代理（在这里所做的操作会被替换）。";
    store_other_name: "Or work on another broker:", "或者使用另一个代理：";
    store_name_label: "Broker name", "代理名称";
    store_open_name: "Open", "打开";
    store_lost_title: "This tab stopped saving", "本标签页已停止保存";
    store_lost:
        "Another tab took broker '{broker}' over (or changed its database): this tab no longer saves anything, so it cannot undo that tab's work. Reload to open the broker here again.",
        "另一个标签页接管了代理 '{broker}'（或更改了它的数据库）：本标签页不再保存任何内容，因此不会覆盖那个标签页的数据。重新加载即可在这里再次打开该代理。";
    store_reload: "Reload", "重新加载";
    tab_binding: "Binding", "绑定";
    tab_exchange: "Exchange", "交换机";
    tab_producer: "Producer", "生产者";
    tab_queue: "Queue", "队列";
    tab_worker: "Worker", "工作进程";
    table_title: "list_queues", "list_queues";
    tagline: "a RabbitMQ simulator", "RabbitMQ 模拟器";
    task_progress: "{done} of {total} · delivery tag {tag}", "{done} / {total} · 投递标签 {tag}";
    timeline: "Timeline", "时间线";
    to_start: "Back to start", "回到开头";
    topic_count_exact:
        "the routing key has {n} words but the binding key needs exactly {m}",
        "路由键有 {n} 个词，但绑定键恰好需要 {m} 个";
    topic_count_min:
        "the routing key has {n} words but the binding key needs at least {m}",
        "路由键有 {n} 个词，但绑定键至少需要 {m} 个";
    topic_every_word: "every word matches", "每个词都匹配";
    topic_no_alignment:
        "the words cannot be lined up with the pattern (# takes zero or more words, * exactly one)",
        "这些词无法与模式对齐（# 匹配零个或多个词，* 恰好一个）";
    topic_word_differs: "word {i}: '{word}' is not '{pattern}'", "第 {i} 个词：'{word}' 不是 '{pattern}'";
    topology: "Topology", "拓扑";
    try_alternate:
        "No binding matches: the message goes to the alternate exchange {ae}.",
        "没有绑定匹配：消息转到备用交换机 {ae}。";
    try_nothing:
        "No binding matches: the message would be dropped (or returned if mandatory).",
        "没有绑定匹配：消息会被丢弃（若设置了 mandatory 则被退回）。";
    try_reaches: "It would reach: {queues}", "它会到达：{queues}";
    try_title: "Try a routing key", "试一个路由键";
    type_direct: "direct", "direct（直连）";
    type_direct_help: "Routes to bindings whose key equals the routing key.", "路由到绑定键与路由键相等的绑定。";
    type_fanout: "fanout", "fanout（扇出）";
    type_fanout_help:
        "Copies every message to every bound queue; keys are ignored.",
        "把每条消息复制给所有绑定的队列；忽略键。";
    type_headers: "headers", "headers（消息头）";
    type_headers_help:
        "Routes by message headers (x-match all/any); keys are ignored.",
        "按消息头路由（x-match all/any）；忽略键。";
    type_topic: "topic", "topic（主题）";
    type_topic_help:
        "Routes by patterns of words: * one word, # zero or more.",
        "按单词模式路由：* 一个词，# 零个或多个词。";
    unacked_n: "Unacknowledged deliveries ({n})", "未应答的投递（{n}）";
    unbind: "Unbind", "解绑";
    unbind_aria: "Unbind {dest} (key {key})", "解绑 {dest}（键 {key}）";
    unlimited: "unlimited", "不限";
    virtual_time: "t =", "t =";
    virtual_time_help: "Virtual time of the simulation (not your clock)", "模拟的虚拟时间（不是你的时钟）";
    why_direct_differs: "'{key}' is not '{pattern}'", "'{key}' 不是 '{pattern}'";
    why_direct_equal: "the routing key equals the binding key", "路由键等于绑定键";
    why_fanout: "fanout: every binding matches", "fanout：每个绑定都匹配";
    work_fixed: "fixed time", "固定时长";
    work_per_dot: "1 s per '.' (lessons)", "每个 '.' 1 秒（课程）";
    work_per_dot_n: "{t} per '.'", "每个 '.' {t}";
    worker_intro:
        "A worker is a program like worker.py: it consumes from a queue, works on each message, then acks it (or not).",
        "工作进程就像 worker.py 这样的程序：它从队列消费，处理每条消息，然后应答（或不应答）。";
    worker_sub_idle: "{unacked} unacked · {done} done", "{unacked} 未应答 · {done} 已完成";
    yes: "yes", "是";
    // The queue inspector's stream log (view::stream_log).
    stream_log_n: "Log ({n} messages)", "日志（{n} 条消息）";
    stream_log_range: "offsets {first}–{last}; the next publish takes {next}", "偏移量 {first}–{last}；下一条发布的消息占用 {next}";
    stream_log_label: "The stream's log, by offset", "流的日志（按偏移量）";
    stream_log_empty: "The log is empty: the next publish takes offset 0.", "日志为空：下一条发布的消息占用偏移量 0。";
    stream_earlier_n: "{n} earlier offsets not shown", "前面还有 {n} 个偏移量未显示";
    stream_offset: "Offset", "偏移量";
    stream_written_at: "Written at (UTC, virtual clock)", "写入时间（UTC，虚拟时钟）";
    stream_tracking_chunk: "tracking chunk", "跟踪块";
    stream_tracking_help:
        "A chunk RabbitMQ writes at the start of a segment: the publishers' sequence numbers. It takes an offset and counts in the message count, but no consumer receives it.",
        "RabbitMQ 在每个段开头写入的块：记录发布者的序号。它占用一个偏移量，也计入消息数，但消费者不会收到它。";
    stream_segment: "segment from offset {offset} · {bytes} bytes · {chunks} chunks", "段：从偏移量 {offset} 开始 · {bytes} 字节 · {chunks} 个块";
    stream_segment_size: "segments of {bytes} bytes", "每段 {bytes} 字节";
    stream_keeps_bytes: "keeps the newest segments within {bytes} bytes", "保留总大小不超过 {bytes} 字节的最新段";
    stream_keeps_age: "deletes segments older than {ms} ms", "删除早于 {ms} 毫秒的段";
    stream_removed: "Offsets 0–{last} were removed by retention (whole segments).", "偏移量 0–{last} 已被保留策略删除（整段删除）。";
    stream_reads_next: "reads this offset next", "下一条读取这个偏移量";
    stream_readers: "Readers and their offsets", "读取者及其偏移量";
    stream_reader_at: "next offset {offset} · credit {credit} of {prefetch}", "下一个偏移量 {offset} · 额度 {credit}/{prefetch}";
    stream_reader_waiting: "read to the end; waits for offset {offset}", "已读到末尾；等待偏移量 {offset}";
    stream_credit_help:
        "A stream consumer's prefetch is its credit: that many deliveries unacknowledged at most. An ack gives the credit back and removes nothing.",
        "流的消费者的预取数量就是它的额度：最多这么多条未应答的投递。应答会归还额度，但不删除任何消息。";
    // Quorum queues' delivery counts and the ack timeout (view::deliveries).
    f_delivery_limit: "Delivery limit", "投递次数上限";
    delivery_count_help:
        "x-delivery-count: how often this message came back to the queue (nack, reject, a closed channel); its next delivery carries this count. Past the delivery limit it is dead-lettered.",
        "x-delivery-count：这条消息回到队列的次数（nack、reject、信道关闭）；下一次投递会带上这个计数。超过投递次数上限就成为死信。";
    delivery_counts: "Delivery counts", "投递计数";
    delivery_count_in: "{queue} ({where}): x-delivery-count {n}", "{queue}（{where}）：x-delivery-count {n}";
    of_limit: "of {limit}", "/ 上限 {limit}";
    ack_timeout: "Ack timeout", "应答超时";
    ack_timeout_help:
        "consumer_timeout, set as rabbitmqctl eval 'application:set_env(rabbit, consumer_timeout, N).' does: channels opened from now on get it, open ones keep theirs.",
        "consumer_timeout，设置方式与 rabbitmqctl eval 'application:set_env(rabbit, consumer_timeout, N).' 相同：之后打开的信道使用新值，已打开的信道保留原值。";
    timeout_off: "off", "关闭";
    timeout_default: "{t} (default)", "{t}（默认）";
    minutes_n: "{n} min", "{n} 分钟";
    seconds_n: "{n} s", "{n} 秒";
    milliseconds_n: "{n} ms", "{n} 毫秒";
    times_out_in: "times out in {t}", "{t} 后超时";
    times_out_help:
        "consumer_timeout: the channel is closed with 406 at its first check (every minute) after its oldest delivery's deadline, and every unacked delivery on it goes back to the queue.",
        "consumer_timeout：信道在最早那次投递超过期限后的第一次检查（每分钟一次）时以 406 关闭，信道上所有未应答的投递都回到队列。";
}
