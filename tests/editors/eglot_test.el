;;; eglot_test.el --- Drives Emacs + Eglot against treido-ls; run by test_emacs.py  -*- lexical-binding: t -*-

;; Inputs (environment): TREIDO_FILE (the .ts file to open), TREIDO_SERVER_CMD (JSON list),
;; TREIDO_RESULT (where to write the JSON result), TREIDO_FIX_TITLE (the quick fix to pick),
;; TREIDO_RULE (the rule id). The Python test makes every assertion; this script acts like a
;; user and reports what the editor saw. Every wait is bounded and the script always exits.

;;; Code:

(require 'package)
;; `-Q' hides Debian's elpa-eglot: put its directory back before `package-initialize'.
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(require 'cl-lib)
(require 'json)
(require 'eglot)
(require 'flymake)

(defconst treido-timeout 20.0 "Seconds to wait for any one thing.")
(defvar treido-result (list (cons 'steps nil)) "What the editor saw, written as JSON at the end.")
(defvar treido-raw nil "The last published LSP diagnostics (ranges in UTF-16, as sent).")
(defvar treido-raw-count 0 "How many publishDiagnostics notifications arrived.")

;; Emacs 28 has no TypeScript mode; Eglot sends the mode name minus "-mode" as languageId.
(define-derived-mode typescript-mode prog-mode "TypeScript")

(defun treido-put (key value)
  (setf (alist-get key treido-result) value))

(defun treido-step (name)
  (treido-put 'steps (vconcat (alist-get 'steps treido-result) (list name))))

(defun treido-wait (what predicate)
  "Process events until PREDICATE holds; signal an error naming WHAT after `treido-timeout'."
  (let ((deadline (+ (float-time) treido-timeout)))
    (while (not (funcall predicate))
      (when (> (float-time) deadline)
        (error "Timed out waiting for %s" what))
      (accept-process-output nil 0.05))))

(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql textDocument/publishDiagnostics)) &key diagnostics &allow-other-keys)
  "Record the raw diagnostics before Eglot converts them for Flymake."
  (setq treido-raw diagnostics
        treido-raw-count (1+ treido-raw-count)))

(defun treido-position (pos)
  "POS as [line column], 0-based, the column in characters (not display width: CJK is wide)."
  (save-excursion
    (goto-char pos)
    (vector (1- (line-number-at-pos)) (- pos (line-beginning-position)))))

(defun treido-editor-diagnostics ()
  (vconcat
   (mapcar (lambda (diag)
             (list (cons 'start (treido-position (flymake-diagnostic-beg diag)))
                   (cons 'end (treido-position (flymake-diagnostic-end diag)))
                   (cons 'message (flymake-diagnostic-text diag))))
           (flymake-diagnostics))))

(defun treido-rule-diagnostic ()
  "The Flymake diagnostic of the rule under test, if Flymake shows it."
  (cl-find-if (lambda (diag) (string-search (getenv "TREIDO_RULE") (flymake-diagnostic-text diag)))
              (flymake-diagnostics)))

(defun treido-pick-by-title (_prompt collection &rest _)
  "Answer Eglot's code-action menu (COLLECTION: title -> action) the way a user would."
  (let ((titles (mapcar #'car collection))
        (wanted (getenv "TREIDO_FIX_TITLE")))
    (treido-put 'offered (vconcat titles))
    (unless (member wanted titles)
      (error "Quick fix not offered: %s" wanted))
    wanted))

(defun treido-apply-quick-fix (diag)
  ;; As if invoked from the keyboard (a list event would make Eglot pop up a mouse menu).
  (cl-letf (((symbol-function 'completing-read) #'treido-pick-by-title)
            (last-nonmenu-event ?\r))
    (eglot-code-actions (flymake-diagnostic-beg diag) (flymake-diagnostic-end diag) "quickfix" t)))

(defun treido-main ()
  (setq eglot-server-programs
        (list (cons 'typescript-mode (append (json-read-from-string (getenv "TREIDO_SERVER_CMD")) nil))))
  (find-file (getenv "TREIDO_FILE"))
  (typescript-mode)
  (remove-hook 'flymake-diagnostic-functions #'flymake-proc-legacy-flymake)
  (flymake-mode 1)
  ;; `eglot-ensure' never connects in batch mode.
  (apply #'eglot (eglot--guess-contact))
  (treido-wait "the server to connect" (lambda () (eglot-current-server)))
  (treido-step "attached")
  (flymake-start)
  (treido-wait "the diagnostic" (lambda () (and treido-raw (treido-rule-diagnostic))))
  (treido-put 'emacs emacs-version)
  (treido-put 'before (list (cons 'editor (treido-editor-diagnostics)) (cons 'lsp treido-raw)))
  (treido-step "diagnosed")
  (let ((seen treido-raw-count))
    (treido-apply-quick-fix (treido-rule-diagnostic))
    (treido-step "fixed")
    (save-buffer)
    (treido-step "saved")
    (treido-wait "the diagnostic to clear"
                 (lambda () (and (> treido-raw-count seen) (not (treido-rule-diagnostic))))))
  (treido-put 'after (list (cons 'editor (treido-editor-diagnostics)) (cons 'lsp treido-raw)))
  (treido-step "cleared"))

(defun treido-write-result ()
  (with-temp-file (getenv "TREIDO_RESULT")
    (insert (json-encode treido-result))))

(let ((ok (condition-case err
              (progn (treido-main) t)
            (error (treido-put 'error (error-message-string err)) nil))))
  (treido-write-result)
  (kill-emacs (if ok 0 3)))

;;; eglot_test.el ends here
