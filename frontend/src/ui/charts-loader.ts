// Charts load ECharts on demand: pages without a chart never download it.
export function initCharts(root: ParentNode): void {
  const frames = root.querySelectorAll<HTMLElement>("[data-chart]:not([data-chart-ready])");
  if (!frames.length) return;
  import("./charts").then(({ chartsRender }) => chartsRender(Array.from(frames)));
}
