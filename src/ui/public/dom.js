// h(tag, attributes, children): the page's only DOM helper. Text is always set as text, never as
// HTML: journal events and twin state come from the systems under test.
export function h(tag, attributes = {}, children = []) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of Array.isArray(children) ? children : [children]) {
    if (child === undefined || child === null || child === '') continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** A button that copies `text` and says so. */
export function copyButton(text, label) {
  const button = h('button', { type: 'button', class: 'copy', 'aria-label': `Copy ${label}` }, 'Copy');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
    } catch {
      // Clipboard access needs a secure context or a permission: select the text for Ctrl-C instead.
      const range = document.createRange();
      range.selectNodeContents(button.previousElementSibling ?? button);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      button.textContent = 'Selected';
    }
    setTimeout(() => (button.textContent = 'Copy'), 1500);
  });
  return button;
}
