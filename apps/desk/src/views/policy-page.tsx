import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { api, ApiError, ifMatch, Schemas, unwrap } from '../api/client';
import { hasAnyRole, useSignedIn } from '../auth/session';
import { useT } from '../i18n/locale';
import { useFormat } from '../ui/format';
import { ErrorMessage, Loading } from '../ui/status';
import { diffRules } from './policy/diff';
import { policyRevisions, Revision } from './policy/revisions';

/** The policy in force, its revisions with what each changed, and (for those who may) the editor. */
export default function PolicyPage() {
  const t = useT();
  const format = useFormat();
  const session = useSignedIn();
  const policy = useQuery({ queryKey: ['policy'], queryFn: () => unwrap(api.GET('/v1/policy')) });
  const mayAudit = hasAnyRole(session, ['auditor', 'admin']);
  const history = useQuery({ queryKey: ['policy-revisions', policy.data?.version], queryFn: policyRevisions, enabled: mayAudit && !!policy.data });
  if (policy.isPending) return <Loading />;
  if (policy.isError) return <ErrorMessage error={policy.error} retry={() => void policy.refetch()} />;
  const current = policy.data;
  return (
    <section aria-labelledby="policy-title">
      <h1 id="policy-title">{t('policy.title')}</h1>
      <p>{t('policy.inForce', { version: current.version, who: current.revisedBy, date: format.dateTime(current.revisedAt) })}</p>
      <p>
        {t('policy.changeNote')}: {current.changeNote}
      </p>
      <pre className="json" tabIndex={0} aria-label={t('policy.rules')}>
        {JSON.stringify(current.rules, null, 2)}
      </pre>
      <h2>{t('policy.history')}</h2>
      {!mayAudit && <p>{t('policy.noHistory')}</p>}
      {history.isError && <ErrorMessage error={history.error} />}
      {history.data && <History revisions={history.data} />}
      {hasAnyRole(session, ['senior_manager', 'admin']) && <Editor current={current} />}
    </section>
  );
}

function History({ revisions }: { revisions: readonly Revision[] }) {
  const t = useT();
  const format = useFormat();
  return (
    <ol reversed className="revisions">
      {[...revisions].reverse().map((revision, index, list) => {
        const previous = list[index + 1];
        const changes = previous ? diffRules(previous.rules, revision.rules) : [];
        return (
          <li key={revision.version}>
            <p>
              <strong>v{revision.version}</strong> · {revision.revisedBy} · {format.dateTime(revision.revisedAt)} · {revision.changeNote}
            </p>
            {previous && (
              <details>
                <summary>{t('policy.compare', { from: previous.version, to: revision.version })}</summary>
                {changes.length === 0 ? (
                  <p>{t('policy.noChange')}</p>
                ) : (
                  <table className="diff">
                    <thead>
                      <tr>
                        <th scope="col">{t('policy.field')}</th>
                        <th scope="col">{t('policy.before')}</th>
                        <th scope="col">{t('policy.after')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {changes.map((change) => (
                        <tr key={change.path}>
                          <th scope="row">{change.path}</th>
                          <td className="removed">{change.before ?? '—'}</td>
                          <td className="added">{change.after ?? '—'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </details>
            )}
          </li>
        );
      })}
    </ol>
  );
}

function Editor({ current }: { current: Schemas['PolicyResponse'] }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [jsonError, setJsonError] = useState<string | null>(null);
  const revise = useMutation({
    mutationFn: (body: Schemas['RevisePolicyDto']) => unwrap(api.PUT('/v1/policy', { params: { header: ifMatch(current.version) }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['policy'] }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setJsonError(null);
    const form = new FormData(event.currentTarget);
    try {
      const rules = JSON.parse(String(form.get('rules'))) as Schemas['PolicyRulesDto'];
      revise.mutate({ rules, changeNote: String(form.get('changeNote') ?? '') });
    } catch (error) {
      setJsonError(error instanceof Error ? error.message : String(error));
    }
  };
  const problem = revise.error instanceof ApiError ? revise.error : null;
  return (
    <form onSubmit={submit} className="editor" aria-labelledby="editor-title" noValidate>
      <h2 id="editor-title">{t('policy.editor')}</h2>
      <label>
        {t('policy.rules')}
        <textarea name="rules" rows={20} defaultValue={JSON.stringify(current.rules, null, 2)} spellCheck={false} className="json" />
      </label>
      <label>
        {t('policy.changeNote')}
        <input name="changeNote" required />
      </label>
      {jsonError && (
        <p role="alert" className="error">
          {t('policy.badJson', { message: jsonError })}
        </p>
      )}
      {problem && (
        <div role="alert" className="error">
          <p>{problem.message}</p>
          <ul>
            {Object.entries(problem.fieldErrors()).map(([field, message]) => (
              <li key={field}>
                <code>{field}</code>: {message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {revise.isError && !problem && <ErrorMessage error={revise.error} />}
      {revise.data && <p role="status">{t('policy.saved', { version: revise.data.version })}</p>}
      <button type="submit" className="primary" disabled={revise.isPending}>
        {t('policy.save')}
      </button>
    </form>
  );
}
