// One redraw per frame for the views over the live state (the tasks table, the workers): each view registers
// its renderer here, and whatever changes what they show calls scheduleRender — so no view imports another
// just to have it redrawn.

const renderers = [];
let renderTimer;

export function onRender(render) {
  renderers.push(render);
}

export function scheduleRender() {
  if (renderTimer !== undefined) return;
  renderTimer = setTimeout(() => {
    renderTimer = undefined;
    for (const render of renderers) render();
  }, 16);
}
