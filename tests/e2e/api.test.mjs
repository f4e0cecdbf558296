// The JavaScript API in Chromium: the lessons' programs, written with the
// pika-like API, behave as the lessons say; errors carry RabbitMQ's codes.
import { run, check, screenshot } from './browser.mjs';

const url = process.argv[2] || 'http://127.0.0.1:8080/';

await run('JS API: the lessons\' programs behave as the lessons say', async ({ page }) => {
  await page.goto(`${url}www/docs-demo.html`);
  await page.waitForSelector('body[data-ready="true"]');
  const r = await page.evaluate(async () => {
    const { Broker } = await import('/pkg/warren.js');
    const out = {};

    // Lesson 1: hello world through the default exchange, auto-ack consumer.
    {
      const broker = await Broker.create({ name: 'hello' });
      const ch = broker.connect().channel();
      ch.queueDeclare('hello');
      ch.queueDeclare('hello'); // declaring twice is harmless
      const got = [];
      ch.basicConsume('hello', (m) => got.push(m.body), { autoAck: true });
      ch.basicPublish('', 'hello', 'Hello World!');
      await broker.runUntilIdle();
      out.hello = got;
      // Redeclaring with other properties: 406 and the channel closes.
      try { ch.queueDeclare('hello', { durable: true }); out.redeclare = 'no error'; }
      catch (e) { out.redeclare = { code: e.code, scope: e.scope, text: e.text, open: ch.isOpen }; }
    }

    // Lesson 2: work queue, manual ack, prefetch 1; a worker dies with a task.
    {
      const broker = await Broker.create({ name: 'work', autoRun: false });
      const producer = broker.connect('new_task.py').channel();
      producer.queueDeclare('task_queue', { durable: true });
      const workers = {};
      for (const name of ['w1', 'w2']) {
        const conn = broker.connect(name);
        const ch = conn.channel();
        ch.basicQos(1);
        const got = [];
        ch.basicConsume('task_queue', (m) => got.push({ body: m.body, tag: m.deliveryTag, redelivered: m.redelivered }));
        workers[name] = { conn, ch, got };
      }
      for (const body of ['First message.', 'Second message..', 'Third message...', 'Fourth message....', 'Fifth message.....']) {
        producer.basicPublish('', 'task_queue', body, { deliveryMode: 2 });
      }
      await broker.runUntilIdle();
      out.firstRound = { w1: workers.w1.got.map((m) => m.body), w2: workers.w2.got.map((m) => m.body) };
      // w1 finishes and acks; it gets the next one. w2 dies with its task.
      workers.w1.ch.basicAck(workers.w1.got[0].tag);
      await broker.runUntilIdle();
      workers.w2.conn.close();
      await broker.runUntilIdle();
      while (true) {
        const last = workers.w1.got[workers.w1.got.length - 1];
        workers.w1.ch.basicAck(last.tag);
        const before = workers.w1.got.length;
        await broker.runUntilIdle();
        if (workers.w1.got.length === before) break;
      }
      out.w1All = workers.w1.got.map((m) => `${m.body}${m.redelivered ? ' (redelivered)' : ''}`);
      out.workLeft = broker.snapshot().queues.find((q) => q.name === 'task_queue');
    }

    // Lesson 3: fanout to two exclusive server-named queues.
    {
      const broker = await Broker.create({ name: 'fanout' });
      const emit = broker.connect().channel();
      emit.exchangeDeclare('logs', 'fanout');
      const received = [];
      for (let i = 0; i < 2; i++) {
        const ch = broker.connect().channel();
        const { queue } = ch.queueDeclare('', { exclusive: true });
        ch.queueBind(queue, 'logs');
        ch.basicConsume(queue, (m) => received.push(`${i}:${m.body}`), { autoAck: true });
        out[`fanoutQueue${i}`] = queue;
      }
      emit.basicPublish('logs', 'ignored.key', 'info: hello');
      await broker.runUntilIdle();
      out.fanout = received.sort();
    }

    // Lesson 4: direct routing by severity.
    {
      const broker = await Broker.create({ name: 'direct' });
      const ch = broker.connect().channel();
      ch.exchangeDeclare('direct_logs', 'direct');
      const { queue: errors } = ch.queueDeclare('', { exclusive: true });
      const { queue: all } = ch.queueDeclare('', { exclusive: true });
      ch.queueBind(errors, 'direct_logs', 'error');
      for (const s of ['info', 'warning', 'error']) ch.queueBind(all, 'direct_logs', s);
      for (const s of ['info', 'warning', 'error', 'debug']) ch.basicPublish('direct_logs', s, `${s} msg`);
      await broker.runUntilIdle();
      const drain = (q) => { const got = []; let m; while ((m = ch.basicGet(q, { autoAck: true }))) got.push(m.body); return got; };
      out.direct = { errors: drain(errors), all: drain(all) };
    }

    // Lesson 5: topics, the tutorial's table.
    {
      const broker = await Broker.create({ name: 'topic' });
      const ch = broker.connect().channel();
      ch.exchangeDeclare('topic_logs', 'topic');
      ch.queueDeclare('Q1'); ch.queueDeclare('Q2');
      ch.queueBind('Q1', 'topic_logs', '*.orange.*');
      ch.queueBind('Q2', 'topic_logs', '*.*.rabbit');
      ch.queueBind('Q2', 'topic_logs', 'lazy.#');
      for (const k of ['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.brown.fox', 'lazy.pink.rabbit', 'orange', 'lazy']) {
        ch.basicPublish('topic_logs', k, k);
      }
      await broker.runUntilIdle();
      out.topic = Object.fromEntries(broker.snapshot().queues.filter((q) => q.name.startsWith('Q')).map((q) => [q.name, q.ready]));
    }

    // Errors carry RabbitMQ's code and text; a missing exchange is 404.
    {
      const broker = await Broker.create({ name: 'errors' });
      const ch = broker.connect().channel();
      try { ch.basicPublish('no_such_exchange', 'k', 'x'); } catch (e) { out.missingExchange = { code: e.code, text: e.text }; }
      try { ch.basicPublish('', 'k', 'after'); } catch (e) { out.closedChannel = { scope: e.scope, text: e.text }; }
    }
    return out;
  });

  check(JSON.stringify(r.hello) === '["Hello World!"]', `hello world delivered: ${JSON.stringify(r.hello)}`);
  check(r.redeclare.code === 406 && r.redeclare.scope === 'channel' && !r.redeclare.open, `406 on redeclare: ${JSON.stringify(r.redeclare)}`);
  check(r.redeclare.text === "PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'hello' in vhost '/': received 'true' but current is 'false'", r.redeclare.text);
  check(JSON.stringify(r.firstRound) === JSON.stringify({ w1: ['First message.'], w2: ['Second message..'] }), `prefetch 1: one each: ${JSON.stringify(r.firstRound)}`);
  check(r.w1All.includes('Second message.. (redelivered)'), `w2's task went to w1 redelivered: ${JSON.stringify(r.w1All)}`);
  check(r.w1All.length === 5, `w1 ended up with all five: ${JSON.stringify(r.w1All)}`);
  check(r.workLeft.ready === 0 && r.workLeft.unacked === 0, `nothing left: ${JSON.stringify(r.workLeft)}`);
  check(/^amq\.gen-/.test(r.fanoutQueue0) && r.fanoutQueue0 !== r.fanoutQueue1, 'server-named queues');
  check(JSON.stringify(r.fanout) === JSON.stringify(['0:info: hello', '1:info: hello']), `fanout: ${JSON.stringify(r.fanout)}`);
  check(JSON.stringify(r.direct) === JSON.stringify({ errors: ['error msg'], all: ['info msg', 'warning msg', 'error msg'] }), `direct: ${JSON.stringify(r.direct)}`);
  check(JSON.stringify(r.topic) === JSON.stringify({ Q1: 2, Q2: 4 }), `topic: ${JSON.stringify(r.topic)}`);
  check(r.missingExchange.code === 404 && r.missingExchange.text === "NOT_FOUND - no exchange 'no_such_exchange' in vhost '/'", JSON.stringify(r.missingExchange));
  check(r.closedChannel.scope === 'client' && r.closedChannel.text === 'channel is closed', JSON.stringify(r.closedChannel));

  // The page's own JS-API block works, and bodies are text, not HTML.
  await page.fill('#api-body', '<img src=x onerror="window.pwned=1">');
  await page.click('#api-publish');
  await page.waitForFunction(() => document.querySelectorAll('#api-log li').length >= 2);
  check(await page.evaluate(() => window.pwned === undefined), 'the body did not execute');
  check((await page.textContent('#api-log')).includes('<img src=x'), 'the body shows literally');
  await screenshot(page, 'docs-demo-api');
});
