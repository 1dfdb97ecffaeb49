package venus.retrieval.paych;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.Objects;

/**
 * An amount of FIL in attoFIL (1 FIL = 10^18 attoFIL). Formats and parses the way Lotus does:
 * {@code "1.5 FIL"}, {@code "0.000000000000001 FIL"}, {@code "0 FIL"}; parsing accepts a decimal
 * number with an optional {@code FIL}, {@code attoFIL} or {@code aFIL} suffix (case-insensitive).
 *
 * @param atto the amount in attoFIL; may be negative (chain arithmetic), never null
 */
public record TokenAmount(BigInteger atto) implements Comparable<TokenAmount> {
    /** attoFIL per FIL. */
    public static final BigInteger ATTO_PER_FIL = BigInteger.TEN.pow(18);
    /** Zero. */
    public static final TokenAmount ZERO = new TokenAmount(BigInteger.ZERO);
    /** Filecoin big integers are at most 128 bytes on the wire (sign byte included). */
    private static final int MAX_BITS = 127 * 8;
    private static final int MAX_PARSE_LENGTH = 50;

    /** Refuses amounts a Filecoin big integer cannot carry ({@code BAD_AMOUNT}). */
    public TokenAmount {
        Objects.requireNonNull(atto, "atto");
        if (atto.abs().bitLength() > MAX_BITS) {
            throw new PaychException(PaychException.Reason.BAD_AMOUNT, "amount exceeds the Filecoin big integer limit");
        }
    }

    /** An amount in attoFIL. */
    public static TokenAmount ofAtto(long atto) {
        return new TokenAmount(BigInteger.valueOf(atto));
    }

    /** An amount in attoFIL given as a decimal string (the JSON-RPC form). */
    public static TokenAmount ofAtto(String decimal) {
        try {
            return new TokenAmount(new BigInteger(decimal));
        } catch (NumberFormatException e) {
            throw new PaychException(PaychException.Reason.BAD_AMOUNT, "'" + decimal + "' is not an attoFIL integer");
        }
    }

    /** A whole number of FIL. */
    public static TokenAmount ofFil(long fil) {
        return new TokenAmount(BigInteger.valueOf(fil).multiply(ATTO_PER_FIL));
    }

    /**
     * Parses {@code "1.5"}, {@code "1.5 FIL"}, {@code "1500 attoFIL"}, {@code "7afil"}: digits and
     * dots, then an optional unit. A FIL value with more than 18 decimals and a fractional attoFIL
     * value are refused, as Lotus refuses them.
     */
    public static TokenAmount parse(String s) {
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) && s.charAt(i) < 128 || s.charAt(i) == '.')) {
            i++;
        }
        String number = s.substring(0, i);
        String unit = s.substring(i).trim().toLowerCase(Locale.ROOT);
        boolean atto;
        switch (unit) {
            case "":
            case "fil":
                atto = false;
                break;
            case "attofil":
            case "afil":
                atto = true;
                break;
            default:
                throw new PaychException(PaychException.Reason.BAD_AMOUNT, "unrecognized unit '" + s.substring(i).trim() + "' in '" + s + "' (use FIL or attoFIL)");
        }
        if (number.length() > MAX_PARSE_LENGTH) {
            throw new PaychException(PaychException.Reason.BAD_AMOUNT, "amount string is too long: " + number.length() + " characters");
        }
        if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
            throw new PaychException(PaychException.Reason.BAD_AMOUNT, "'" + s + "' is not a decimal amount");
        }
        BigDecimal d = new BigDecimal(number.startsWith(".") ? "0" + number : number);
        if (!atto) {
            d = d.multiply(new BigDecimal(ATTO_PER_FIL));
        }
        try {
            return new TokenAmount(d.toBigIntegerExact());
        } catch (ArithmeticException e) {
            throw new PaychException(PaychException.Reason.BAD_AMOUNT,
                    "invalid " + (atto ? "attoFIL" : "FIL") + " value '" + number + "' (" + (atto ? "attoFIL must be whole" : "at most 18 decimals") + ")");
        }
    }

    /** The amount in FIL without unit, as Lotus prints it: {@code "1.5"}, {@code "0"}. */
    public String toFilString() {
        if (atto.signum() == 0) {
            return "0";
        }
        String plain = new BigDecimal(atto, 18).toPlainString();
        // trim trailing zeros of the fraction, then a bare dot
        int end = plain.length();
        while (plain.charAt(end - 1) == '0') {
            end--;
        }
        if (plain.charAt(end - 1) == '.') {
            end--;
        }
        return plain.substring(0, end);
    }

    /** The decimal attoFIL string (the JSON-RPC form). */
    public String toAttoString() {
        return atto.toString();
    }

    /** {@code "<n> FIL"}, as Lotus prints a FIL value. */
    @Override
    public String toString() {
        return toFilString() + " FIL";
    }

    /** This amount plus {@code o}. */
    public TokenAmount add(TokenAmount o) {
        return new TokenAmount(atto.add(o.atto));
    }

    /** This amount minus {@code o} (may be negative). */
    public TokenAmount subtract(TokenAmount o) {
        return new TokenAmount(atto.subtract(o.atto));
    }

    /** This amount times {@code factor}. */
    public TokenAmount multiply(long factor) {
        return new TokenAmount(atto.multiply(BigInteger.valueOf(factor)));
    }

    /** −1, 0 or 1 as this amount is negative, zero or positive. */
    public int signum() {
        return atto.signum();
    }

    /** Whether this amount is zero. */
    public boolean isZero() {
        return atto.signum() == 0;
    }

    @Override
    public int compareTo(TokenAmount o) {
        return atto.compareTo(o.atto);
    }

    /** Whether this amount is strictly more than {@code o}. */
    public boolean greaterThan(TokenAmount o) {
        return compareTo(o) > 0;
    }

    /** Whether this amount is strictly less than {@code o}. */
    public boolean lessThan(TokenAmount o) {
        return compareTo(o) < 0;
    }

    /** The larger of two amounts. */
    public static TokenAmount max(TokenAmount a, TokenAmount b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
