// The docs demo's JS-API block: a broker in this page, no iframe.
import init, { Broker } from '../pkg/warren.js';

await init();
const log = document.getElementById('api-log');
function say(text) {
  const li = document.createElement('li');
  li.textContent = text; // message bodies are untrusted text
  log.appendChild(li);
}

const broker = await Broker.create({ name: 'docs', store: 'memory' });
const ch = broker.connect('docs page').channel();
ch.queueDeclare('hello');
ch.basicConsume('hello', (m) => say(`received ${JSON.stringify(m.body)} (delivery tag ${m.deliveryTag})`), { autoAck: true });

document.getElementById('api-publish').addEventListener('click', async () => {
  const body = document.getElementById('api-body').value;
  ch.basicPublish('', 'hello', body);
  say(`published ${JSON.stringify(body)}`);
  await broker.runUntilIdle();
});
document.body.dataset.ready = 'true';
