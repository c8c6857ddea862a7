using System.Text;
using Vigil.Transactions;

namespace Vigil.Rules.Language;

/// <summary>
/// What compiled rules call. Conditions are three-valued (Kleene): <see cref="False"/>, <see cref="Unknown"/> (a null
/// took part) and <see cref="True"/>; <c>and</c> is the smaller, <c>or</c> the larger, <c>not</c> mirrors, and a rule
/// matches only on <see cref="True"/>. A null number is NaN.
/// </summary>
public static class RuleRuntime
{
    public const int False = 0;
    public const int Unknown = 1;
    public const int True = 2;

    public static int Less(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? Unknown : a < b ? True : False;

    public static int LessOrEqual(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? Unknown : a <= b ? True : False;

    public static int Greater(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? Unknown : a > b ? True : False;

    public static int GreaterOrEqual(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? Unknown : a >= b ? True : False;

    public static int Equal(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? Unknown : a == b ? True : False;

    public static int NotEqual(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? Unknown : a != b ? True : False;

    public static int IsNull(double value) => double.IsNaN(value) ? True : False;

    public static int IsNull(Utf8Field field) => field.IsPresent ? False : True;

    /// <summary>Division by zero is null, as in the model's ratios.</summary>
    public static double Divide(double a, double b) => b == 0 ? double.NaN : a / b;

    public static double Remainder(double a, double b) => b == 0 ? double.NaN : a % b;

    public static double Coalesce(double value, double fallback) => double.IsNaN(value) ? fallback : value;

    public static int NumberIn(double value, double[] sorted) =>
        double.IsNaN(value) ? Unknown : Array.BinarySearch(sorted, value) >= 0 ? True : False;

    public static int TextEquals(Transaction transaction, Utf8Field field, byte[] literal) =>
        !field.IsPresent ? Unknown
        : field.IsEscaped ? (Encoding.UTF8.GetBytes(transaction.Text(field)!).AsSpan().SequenceEqual(literal) ? True : False)
        : transaction.Raw(field).SequenceEqual(literal) ? True : False;

    public static int FieldsEqual(Transaction transaction, Utf8Field a, Utf8Field b) =>
        !a.IsPresent || !b.IsPresent ? Unknown
        : a.IsEscaped || b.IsEscaped ? (transaction.Text(a) == transaction.Text(b) ? True : False)
        : transaction.Raw(a).SequenceEqual(transaction.Raw(b)) ? True : False;

    public static int TextIn(Transaction transaction, Utf8Field field, TextSet set) =>
        !field.IsPresent ? Unknown
        : field.IsEscaped ? (set.Contains(transaction.Text(field)!) ? True : False)
        : set.Contains(transaction.Raw(field)) ? True : False;
}
