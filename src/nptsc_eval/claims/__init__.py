"""Claims audit: every checkable statement of the source report tested against the data.

The claims register (``data/raw/claims_register.yml``) holds one entry per statement: where
the source makes it, the statement in our own words, the kind of check, the value the source
states (``expected``) and the evidence to test it against (``evidence``): a fact that a
notebook computed (see :mod:`nptsc_eval.facts`), a sum or ratio of facts, a value from a
processed table, a survey finding, or a value the source states in another place.

Kinds of check:

* ``equals``: the evidence equals the stated value (text is compared after tidying spaces,
  dashes and quotation marks);
* ``within_tolerance``: the evidence is within ``tolerance`` of the stated value (rounding);
* ``within_range``: the evidence lies in a range, usually that of a phrase such as
  "approximately half", which the register's ``phrases`` section defines;
* ``greater_than`` / ``at_least``: the evidence is above (or reaches) a target;
* ``sums_to``: parts add up to the total the source states;
* ``consistency``: two statements of the source should agree; ``rule`` names one of the
  checks above to compare them.

A verdict is one of :data:`~nptsc_eval.claims.rules.STATUSES`.  A check that holds is ``reproduced``.  A consistency
check that fails is ``inconsistent_in_source`` (the report contradicts itself) only when our
data holds exactly what the source prints in both places (the register's ``printed`` values,
or values the register states itself); otherwise the failure may be a slip in our own
transcription, and the verdict is ``differs`` ("differs from our data").  Two printings that
differ in wording but not in meaning (the register says ``wording_only``) are
``wording_differs``, not a contradiction.  Any other check that fails ``differs``: the data
does not support the statement.  A claim whose evidence is in no data the project holds is
``not_checkable``, and the register says what is missing.  A claim whose evidence refers to a
fact or file that does not exist raises :class:`~nptsc_eval.errors.PipelineError` naming the
claim, so the register cannot rot.

Every verdict says what it rests on, its ``evidence_basis`` (:data:`~nptsc_eval.claims.evidence.BASES`), computed from
what the check compares (:func:`~nptsc_eval.claims.evidence.evidence_basis`):

* ``synthetic`` / ``real_survey``: the evidence depends on survey responses, and the survey
  file the build used is synthetic (or a real export).  A check on synthetic data is circular
  (the data was made to match the report), so it is never ``reproduced``: it is
  ``not_checkable``, saying whether the synthetic demonstration passes or fails;
* ``source_text``: a consistency check, two printings in the source compared;
* ``independent``: the statement against a computation (a total, a ratio, a count, another
  table or a target printed elsewhere);
* ``transcription``: the statement against our transcription of the same table or sentence
  (a single fact recorded from the place the claim is made);
* ``none``: no evidence is held (the claim is ``not_checkable``).

Where the computation cannot tell (a fact whose recorded location does not show that it was
transcribed from the claim's own sentence), the register declares ``evidence_basis``; the
audit rejects a declaration that it would compute anyway, or that contradicts the survey.

The package has one module per job:

* :mod:`nptsc_eval.claims.register`: the register's model, loading and validation
  (hedges kept, ids unique);
* :mod:`nptsc_eval.claims.evidence`: the value of each claim's evidence and what it rests on;
* :mod:`nptsc_eval.claims.rules`: the verdict rules (a rule holds; which verdict a claim gets);
* :mod:`nptsc_eval.claims.audit`: running the audit over the register and summarising it.

Its charts are in :mod:`nptsc_eval.charts.claims`.
"""
