using System.Globalization;
using System.Net;
using System.Text;

namespace Vigil.Learning.Reports;

/// <summary>A line chart as a standalone SVG image: curves on a unit square with axes, grid and a legend.</summary>
public static class SvgChart
{
    private const int Size = 360;
    private const int Margin = 48;
    private static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> curves, bool diagonal)
    {
        ArgumentNullException.ThrowIfNull(curves);
        var c = CultureInfo.InvariantCulture;
        var width = Size + (2 * Margin) + 150;
        var height = Size + (2 * Margin);
        var svg = new StringBuilder();
        svg.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(c, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.Append(c, $"<text x=\"{Margin}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{WebUtility.HtmlEncode(title)}</text>");
        for (var i = 0; i <= 10; i += 2)
        {
            var t = i / 10.0;
            svg.Append(c, $"<line x1=\"{X(t)}\" y1=\"{Y(0)}\" x2=\"{X(t)}\" y2=\"{Y(1)}\" stroke=\"#eee\"/><line x1=\"{X(0)}\" y1=\"{Y(t)}\" x2=\"{X(1)}\" y2=\"{Y(t)}\" stroke=\"#eee\"/>");
            svg.Append(c, $"<text x=\"{X(t)}\" y=\"{Y(0) + 16}\" text-anchor=\"middle\">{t:0.0}</text><text x=\"{X(0) - 6}\" y=\"{Y(t) + 4}\" text-anchor=\"end\">{t:0.0}</text>");
        }

        svg.Append(c, $"<rect x=\"{X(0)}\" y=\"{Y(1)}\" width=\"{Size}\" height=\"{Size}\" fill=\"none\" stroke=\"#333\"/>");
        svg.Append(c, $"<text x=\"{X(0.5)}\" y=\"{height - 8}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(xLabel)}</text>");
        svg.Append(c, $"<text transform=\"translate(14 {Y(0.5)}) rotate(-90)\" text-anchor=\"middle\">{WebUtility.HtmlEncode(yLabel)}</text>");
        if (diagonal)
        {
            svg.Append(c, $"<line x1=\"{X(0)}\" y1=\"{Y(0)}\" x2=\"{X(1)}\" y2=\"{Y(1)}\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>");
        }

        for (var k = 0; k < curves.Count; k++)
        {
            var (name, points) = curves[k];
            var color = Colors[k % Colors.Length];
            svg.Append(c, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"");
            foreach (var (x, y) in points)
            {
                svg.Append(c, $"{X(x):0.#},{Y(y):0.#} ");
            }

            svg.Append("\"/>");
            var legendY = Margin + 10 + (k * 18);
            svg.Append(c, $"<line x1=\"{X(1) + 12}\" y1=\"{legendY}\" x2=\"{X(1) + 32}\" y2=\"{legendY}\" stroke=\"{color}\" stroke-width=\"3\"/>");
            svg.Append(c, $"<text x=\"{X(1) + 38}\" y=\"{legendY + 4}\">{WebUtility.HtmlEncode(name)}</text>");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static double X(double x) => Margin + (Math.Clamp(x, 0, 1) * Size);

    private static double Y(double y) => Margin + ((1 - Math.Clamp(y, 0, 1)) * Size);
}
