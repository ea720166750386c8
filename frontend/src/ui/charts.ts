// The ECharts subset Shoreline uses: line, bar, heatmap and funnel, SVG-rendered (crisp, small).
import { BarChart, FunnelChart, HeatmapChart, LineChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { SVGRenderer } from "echarts/renderers";

echarts.use([LineChart, BarChart, HeatmapChart, FunnelChart, GridComponent, TooltipComponent, LegendComponent,
  VisualMapComponent, AriaComponent, SVGRenderer]);

/** What the chart_frame template tag serialises (see frontend/templatetags/shoreline_ui.py). */
interface ChartSpec {
  kind: "line" | "bar" | "heatmap" | "funnel";
  labels: string[];
  series: { name: string; data: number[] }[];
  y_labels?: string[];
  values?: number[][];
  unit?: string;
}

function tokens(el: Element) {
  const css = getComputedStyle(el);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    palette: [1, 2, 3, 4, 5].map((i) => v(`--chart-${i}`)),
    text: v("--text-muted"),
    strong: v("--text"),
    grid: v("--border"),
    surface: v("--surface-solid"),
    font: v("--font-sans"),
    heat: [v("--heat-0"), v("--heat-1"), v("--heat-2")],
  };
}

function optionFor(spec: ChartSpec, t: ReturnType<typeof tokens>): echarts.EChartsCoreOption {
  const base = {
    color: t.palette,
    textStyle: { fontFamily: t.font, color: t.text },
    aria: { enabled: true },
    animationDuration: 500,
    tooltip: {
      trigger: spec.kind === "line" || spec.kind === "bar" ? "axis" : "item",
      backgroundColor: t.surface, borderColor: t.grid, textStyle: { color: t.strong, fontFamily: t.font },
      valueFormatter: (value: number) => `${value}${spec.unit ?? ""}`,
    },
  };
  const axis = {
    axisLine: { lineStyle: { color: t.grid } }, axisTick: { show: false },
    axisLabel: { color: t.text, hideOverlap: true }, splitLine: { lineStyle: { color: t.grid, type: "dashed" } },
  };
  if (spec.kind === "line" || spec.kind === "bar") {
    return {
      ...base,
      legend: spec.series.length > 1 ? { top: 0, right: 0, icon: "roundRect", textStyle: { color: t.text } } : undefined,
      grid: { left: 8, right: 8, top: spec.series.length > 1 ? 32 : 12, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: spec.labels, boundaryGap: spec.kind === "bar", ...axis, splitLine: { show: false } },
      yAxis: { type: "value", ...axis, axisLine: { show: false } },
      series: spec.series.map((s, i) => ({
        name: s.name, type: spec.kind, data: s.data, smooth: spec.kind === "line" ? 0.35 : undefined,
        symbol: "circle", symbolSize: 6, showSymbol: false, barMaxWidth: 28,
        itemStyle: spec.kind === "bar" ? { borderRadius: [6, 6, 0, 0] } : undefined,
        lineStyle: spec.kind === "line" ? { width: 2.5 } : undefined,
        areaStyle: spec.kind === "line" && i === 0 ? {
          color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [
            { offset: 0, color: `${t.palette[0]}55` }, { offset: 1, color: `${t.palette[0]}00` }]),
        } : undefined,
      })),
    };
  }
  if (spec.kind === "heatmap") {
    const values = spec.values ?? [];
    const data = values.flatMap((row, y) => row.map((value, x) => [x, y, value]));
    const max = Math.max(1, ...data.map((d) => d[2]));
    return {
      ...base,
      grid: { left: 8, right: 8, top: 8, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: spec.labels, ...axis, splitArea: { show: false }, splitLine: { show: false } },
      yAxis: { type: "category", data: spec.y_labels ?? [], inverse: true, ...axis, splitLine: { show: false } },
      visualMap: { min: 0, max, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120, itemWidth: 10,
        calculable: false, inRange: { color: t.heat }, textStyle: { color: t.text } },
      series: [{ type: "heatmap", data, itemStyle: { borderRadius: 4, borderColor: t.surface, borderWidth: 2 },
        emphasis: { itemStyle: { borderColor: t.strong } } }],
    };
  }
  const first = spec.series[0] ?? { name: "", data: [] };
  return {
    ...base,
    series: [{
      type: "funnel", name: first.name, left: "2%", width: "58%", top: 8, bottom: 8, minSize: "22%", gap: 4,
      sort: "none", label: { position: "right", color: t.strong, fontWeight: 600, formatter: "{b}\n{c}", lineHeight: 18 },
      labelLine: { lineStyle: { color: t.grid } },
      itemStyle: { borderWidth: 0, borderRadius: 6 },
      data: spec.labels.map((name, i) => ({ name, value: first.data[i] })),
    }],
  };
}

const live = new Map<HTMLElement, { chart: echarts.ECharts; spec: ChartSpec }>();

export function chartsRender(frames: HTMLElement[]): void {
  for (const el of frames) {
    const t = tokens(el);
    const source = document.getElementById(el.dataset.chart ?? "");
    if (!source) continue;
    const spec = JSON.parse(source.textContent ?? "{}") as ChartSpec;
    const chart = echarts.init(el, undefined, { renderer: "svg" });
    chart.setOption(optionFor(spec, t));
    el.dataset.chartReady = "true";
    el.closest(".chart-frame")?.classList.add("is-ready");
    live.set(el, { chart, spec });
    new ResizeObserver(() => chart.resize()).observe(el);
  }
}

document.addEventListener("shoreline:theme", () => {
  for (const [el, { chart, spec }] of live) {
    const t = tokens(el);
    if (!el.isConnected) {
      chart.dispose();
      live.delete(el);
      continue;
    }
    chart.setOption(optionFor(spec, t), { notMerge: true });
  }
});
