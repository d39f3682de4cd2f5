/**
 * `replay --fees FILE`: a fee table (config/ibkr-fees.yaml is the shipped one) read and checked
 * once, at the boundary, into the `FeeSchedule` the fill models charge by.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { FeeSchedule } from "../projections/index.js";
import { z } from "../vendor/index.js";
import { UsageError } from "./usage-error.js";

const usd = z.number().finite().nonnegative();
const FeeTableSchema = z
  .object({
    name: z.string().min(1),
    source: z.string(),
    options: z
      .object({
        tiers: z
          .array(
            z
              .object({
                upToContracts: z.number().int().positive().nullable(),
                rates: z
                  .array(z.object({ belowPremiumUsd: usd.nullable(), perContractUsd: usd }).strict())
                  .min(1),
              })
              .strict(),
          )
          .min(1),
        minimumPerOrderUsd: usd,
        orfPerContractUsd: usd,
        occPerContractUsd: usd,
        occMaxContracts: z.number().int().positive(),
        occPerTradeUsd: usd,
        secRateOfSales: z.number().finite().nonnegative().max(0.01),
        finraTafPerContractSoldUsd: usd,
        exchangePerContractUsd: z.number().finite(),
      })
      .strict(),
    stocks: z.object({ perShareUsd: usd, minimumPerOrderUsd: usd }).strict(),
  })
  .strict();

/** The fee table in `path`, or a UsageError naming the file and the first bad field. */
export function loadFeeTable(path: string): FeeSchedule {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`--fees ${path}: ${(error as Error).message}`);
  }
  const parsed = FeeTableSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(
      `--fees ${path}: ${issue.path.join(".") || "(top level)"}: ${issue.message} (config/ibkr-fees.yaml shows every field)`,
    );
  }
  return parsed.data;
}
