"""`draft`: a raw seed text -> a starter fact sheet, with candidates found sentence by sentence."""
