namespace Csp.Api.Quality;

/// <summary>The modified z-score (Iglewicz and Hoaglin): robust to the outlier itself, unlike the mean and standard deviation.</summary>
internal static class Outliers
{
    /// <summary>0.6745 (x − median) / MAD; when the MAD is 0, (x − median) / (1.253314 × mean absolute deviation); when that is 0
    /// too (every earlier value equal), 0 for the same value and unbounded for any other. The median is exact (it is reported);
    /// the spread around it is computed in double precision, as the score is.</summary>
    /// <param name="numbers"><paramref name="prior"/> as doubles (the caller has them converted already).</param>
    public static double? ModifiedZ(decimal value, ReadOnlySpan<decimal> prior, ReadOnlySpan<double> numbers, out decimal median)
    {
        // Doubles on the stack, sorted in place: this runs for every row of every push, and sorting decimals cost several times more.
        var n = prior.Length;
        Span<double> sorted = stackalloc double[n];
        numbers.CopyTo(sorted);
        sorted.Sort();
        median = n % 2 == 1 ? Kth(prior, numbers, sorted, n / 2) : (Kth(prior, numbers, sorted, n / 2 - 1) + Kth(prior, numbers, sorted, n / 2)) / 2;
        var centre = (double)median;
        var sum = 0d;
        for (var i = 0; i < n; i++)
        {
            sorted[i] = Math.Abs(sorted[i] - centre);
            sum += sorted[i];
        }
        sorted.Sort();
        var mad = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        var meanAd = sum / n;
        var diff = (double)(value - median);
        if (mad > 0) return 0.6745 * diff / mad;
        if (meanAd > 0) return diff / (1.253314 * meanAd);
        return diff == 0 ? 0 : double.PositiveInfinity * Math.Sign(diff);
    }

    /// <summary>The <paramref name="k"/>th smallest of <paramref name="values"/>, exactly, given their doubles, sorted: the value whose
    /// double is the kth (conversion to double keeps order), or, if different values share that double, by sorting the values.</summary>
    private static decimal Kth(ReadOnlySpan<decimal> values, ReadOnlySpan<double> numbers, ReadOnlySpan<double> sorted, int k)
    {
        decimal? found = null;
        for (var i = 0; i < values.Length; i++)
        {
            if (numbers[i] != sorted[k]) continue;
            var v = values[i];
            if (found is { } f && f != v)
            {
                Span<decimal> exact = stackalloc decimal[values.Length];
                values.CopyTo(exact);
                exact.Sort();
                return exact[k];
            }
            found = v;
        }
        return found!.Value;
    }
}
