/**
 * The bank's invariant: an account never goes below its floor. Judged on the last successful read
 * of the account; also counts the withdrawals (transfers out of it) that were approved.
 */
import type { History } from './history.js';
import type { CheckOutcome } from './broadcast.js';

export function checkBalanceFloor(history: History, account: string, floor: number): CheckOutcome {
  let finalBalance: number | undefined;
  let approved = 0;
  let refused = 0;
  for (const { invoke, complete } of history.operations()) {
    if (invoke.key !== account || complete === undefined) continue;
    if (invoke.f === 'read' && complete.type === 'ok') finalBalance = Number(complete.value);
    if (invoke.f === 'transfer') {
      if (complete.type === 'ok') approved++;
      else if (complete.type === 'fail') refused++;
    }
  }
  if (finalBalance === undefined) return { ok: false, detail: `no successful read of ${account}`, metrics: { approved_withdrawals: approved, refused_withdrawals: refused } };
  const ok = finalBalance >= floor;
  return {
    ok,
    detail: `${account}: final balance ${finalBalance} (floor ${floor}); ${approved} withdrawals approved, ${refused} refused`,
    metrics: { final_balance: finalBalance, approved_withdrawals: approved, refused_withdrawals: refused },
  };
}
